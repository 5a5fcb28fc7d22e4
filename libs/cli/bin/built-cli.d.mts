// Types of built-cli.mjs (plain JavaScript: `npm install` runs it before anything compiles).

/** Where `npm install` puts the built CLI (libs/cli/dist). */
export declare const BUILD_DIR: string;
/** The built entry's file name in the build folder. */
export declare const ENTRY: string;
/** The built entry in `dir` if it is newer than every file it was built from; else undefined. */
export declare function freshBuild(dir?: string): string | undefined;
/** Bundles the CLI into `outDir` (default BUILD_DIR); resolves to the built entry. */
export declare function buildCli(options?: { outDir?: string }): Promise<string>;
