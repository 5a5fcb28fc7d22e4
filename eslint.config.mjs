import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

// Libs never import services; services never import each other (Nx project tags).
const moduleBoundaries = {
  enforceBuildableLibDependency: false,
  allow: [],
  depConstraints: [
    { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib'] },
    { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
    { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib'] },
    { sourceTag: 'type:composition', onlyDependOnLibsWithTags: ['type:lib'] },
  ],
};

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '.nx/**', '.baton/**', 'coverage/**', 'docs/**'],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    // Type-aware: the rules below need the types (a promise nobody awaits is invisible without).
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { '@nx': nx, 'import-x': importX },
    rules: {
      // A promise in a timer or a callback that nobody awaits fails silently: await it, return
      // it, or mark it `void` with a catch that says what happens to its error.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@nx/enforce-module-boundaries': ['error', moduleBoundaries],
      'import-x/no-cycle': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.name='forwardRef']",
          message: 'No forwardRef: fix the dependency instead.',
        },
      ],
    },
  },
  {
    // The test harness is for tests (and the local start script), never for shipped code.
    files: ['libs/*/src/**/*.ts', 'services/*/src/**/*.ts'],
    ignores: [
      '**/*.spec.ts',
      '**/*.integration-spec.ts',
      '**/*.service-spec.ts',
      '**/*.fixture.ts',
      '**/testing/**',
      'libs/testing/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@baton/testing', message: 'Test harness: tests only.' }] },
      ],
    },
  },
  {
    // The embedded app (services/embedded, tag type:composition) runs the six services in one
    // process: the one place that may import their definitions. Nx forbids importing an app
    // project at all, so the exception is these imports, in these files only.
    files: ['services/embedded/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          ...moduleBoundaries,
          allow: ['^\\.\\./\\.\\./[a-z]+/src/[a-z]+\\.service-definition\\.js$'],
        },
      ],
    },
  },
  prettier,
);
