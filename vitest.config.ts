import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// Nest and TypeORM need decorator metadata, which esbuild does not emit: SWC compiles the tests.
const lib = (name: string) =>
  fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url));
const libs = [
  'contracts',
  'config',
  'messaging',
  'persistence',
  'telemetry',
  'testing',
  'service-kit',
  'workflow',
];

export default defineConfig({
  plugins: [
    swc.vite({
      tsconfigFile: false,
      module: { type: 'es6' },
      jsc: {
        target: 'es2023',
        keepClassNames: true,
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
      },
    }),
  ],
  resolve: { alias: Object.fromEntries(libs.map((name) => [`@baton/${name}`, lib(name)])) },
  test: {
    // Unit tests need no infrastructure; integration tests run against the real broker and
    // the real Postgres, which the global setup starts once per run when they are not given.
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['{libs,services,tools}/**/*.spec.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['{libs,services}/**/*.integration-spec.ts'],
          globalSetup: ['libs/testing/src/infra/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
    ],
  },
});
