// typescript-eslint's flat config: recommended rules for all TypeScript; the build output,
// dependencies and fixture services (plain JS run as targets) are not linted.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'out/**',
      '.cache/**',
      'test/fixtures/**',
      'examples/**',
      'bench/results/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Layering (docs/ARCHITECTURE): the engine imports no face; the webview talks only through
  // src/shared; src/shared may name the engine's data types (type-only, nothing of src/core is
  // bundled with it) but never its code, so there is no runtime cycle between the two.
  {
    files: ['src/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'src/core runs without VS Code: put editor code in src/extension.' },
          ],
          patterns: [
            {
              group: [
                '**/extension',
                '**/extension/**',
                '**/cli',
                '**/cli/**',
                '**/webview',
                '**/webview/**',
              ],
              message: 'src/core imports no face (src/extension, src/cli, webview).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/shared is bundled into the webview.' }],
          patterns: [
            {
              group: ['**/core', '**/core/**'],
              allowTypeImports: true,
              message: 'src/shared may name src/core types (import type) but not import its code.',
            },
            {
              group: ['**/extension/**', '**/cli/**', '**/webview/**'],
              message: 'src/shared imports no face.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'The webview runs in a browser frame: talk to the host by messages.' },
          ],
          patterns: [
            {
              group: ['**/src/core/**', '**/src/extension/**', '**/src/cli/**'],
              message:
                'The webview imports only src/shared (messages and figures), never the engine or a face.',
            },
          ],
        },
      ],
    },
  },
);
