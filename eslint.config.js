import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

// ---------------------------------------------------------------------------------------------
// Layers. Each folder's rule lists every import it may not make; ESLint keeps only the last
// setting of a rule for a file, so the per-folder lists repeat the rule that applies to all of
// src/ (no fakes). Imports are matched as written: relative paths by the folder they name.

/** A relative import whose path names the folder (or the module `name.js`) `name` under src/. */
const relative = (name) => `^\\.{1,2}/(?:.*/)?${name}(?:/|\\.js$|\\.ts$|$)`

const noFakes = {
  regex: relative('fakes'),
  message:
    'Layer rule: product code never imports src/fakes (only src/demo.ts, src/demo/, bench/ and __tests__/ may).'
}

const PURE =
  'Layer rule: src/plan and src/render are pure: no I/O, no @actions, no clients, no state or sync.'
const pureLayer = [
  { group: ['@actions/*'], message: PURE },
  {
    regex: '^(?:node:)?(?:fs|fs/promises|net|http|https|http2|tls|dgram|child_process)(?:/.*)?$',
    message: PURE
  },
  { regex: '^undici(?:/.*)?$', message: PURE },
  { regex: '^(?:@octokit/.*|octokit)$', message: PURE },
  { regex: '^\\.{1,2}/(?:.*/)?sentry/client', message: PURE },
  { regex: relative('github'), message: PURE },
  { regex: relative('state'), message: PURE },
  { regex: relative('sync'), message: PURE },
  {
    regex: relative('inputs'),
    message:
      'Layer rule: src/plan and src/render never import src/inputs (the inputs parse into their types, not the other way round).'
  },
  noFakes
]

const layers = (...patterns) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { patterns }]
})

const layerConfigs = [
  {
    files: ['src/**/*.ts'],
    ignores: ['src/demo.ts', 'src/demo/**', 'src/fakes/**'],
    rules: layers(noFakes)
  },
  { files: ['src/plan/**/*.ts', 'src/render/**/*.ts'], rules: layers(...pureLayer) },
  {
    files: ['src/sentry/**/*.ts'],
    rules: layers(
      {
        regex: relative('github'),
        message: 'Layer rule: the Sentry client (src/sentry) never imports src/github.'
      },
      noFakes
    )
  },
  {
    // What the action loads before Sentry's first request leaves: the rest comes in with import().
    files: ['src/main.ts'],
    rules: layers(
      {
        regex:
          '^\\./(?:sync|clients|action/.*|check/.*|github/.*|report/.*|state/cache-store)(?:\\.js)?$',
        allowTypeImports: true,
        message:
          'Start-up rule: src/main.ts imports only what reading the inputs and Sentry needs; load the rest with import() (see src/action/).'
      },
      {
        regex: '^@octokit/',
        allowTypeImports: true,
        message: 'Start-up rule: no Octokit in src/main.ts.'
      },
      noFakes
    )
  },
  {
    files: ['src/github/**/*.ts'],
    rules: layers(
      {
        regex: relative('sentry'),
        message: 'Layer rule: the GitHub functions (src/github) never import src/sentry.'
      },
      noFakes
    )
  }
]

/** The files linted with type information. */
const TYPED = ['src/**/*.ts', 'bench/**/*.ts']

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'coverage/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off'
    }
  },
  // Type-aware rules for the product code and the benchmark (each file's nearest tsconfig.json).
  // require-await is off: async callbacks and methods that implement a Promise-returning
  // interface (StateStore.load, core.group's callback) read better than Promise.resolve().
  ...tseslint.configs.recommendedTypeCheckedOnly.map((config) => ({ ...config, files: TYPED })),
  {
    files: TYPED,
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }]
    }
  },
  ...layerConfigs
)
