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
  'business',
  'effects',
  'mcp',
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
  resolve: {
    alias: [
      // Test-only entry points first: `@baton/<lib>/testing`.
      {
        find: /^@baton\/([a-z-]+)\/testing$/,
        replacement: `${fileURLToPath(new URL('./libs/', import.meta.url))}$1/src/testing/index.ts`,
      },
      ...libs.map((name) => ({ find: new RegExp(`^@baton/${name}$`), replacement: lib(name) })),
    ],
  },
  test: {
    // Unit tests need no infrastructure; service tests need Postgres; integration tests run
    // against the real broker and the real Postgres, which the global setup starts once per run
    // when they are not given.
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['{libs,services,tools}/**/*.spec.ts'] },
      },
      {
        // Each service on the in-process transport and the real Postgres: every use case
        // through the service's own handlers, in seconds, with no broker.
        extends: true,
        test: {
          name: 'service',
          include: ['{libs,services}/**/*.service-spec.ts'],
          globalSetup: ['libs/testing/src/infra/database-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          maxWorkers: 2,
        },
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
      {
        extends: true,
        test: {
          // The whole system as separate processes: one system at a time on two cores.
          name: 'e2e',
          include: ['e2e/**/*.e2e-spec.ts'],
          globalSetup: ['libs/testing/src/infra/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
