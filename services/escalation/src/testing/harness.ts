// Test-only: the shared test harness, as this service's specs use it. Lint keeps
// `@baton/testing` out of shipped code by file pattern, and `*.service-spec.ts` is not among
// its test patterns yet (eslint.config.mjs); testing/ is, so the service tier imports it here.
export {
  expectEventually,
  hostileJson,
  hostileKeys,
  hostileText,
  migrationUnderTest,
} from '@baton/testing';
