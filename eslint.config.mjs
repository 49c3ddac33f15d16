import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'clients/**/generated/**', 'clients/*/dist/**', 'test-output/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through src/config, never process.env.',
        },
      ],
    },
  },
  {
    // The protocol core stays framework-free (STYLE.md): only shared/ and Node built-ins.
    files: ['src/openid/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@mikro-orm/*', 'express', '@apollo/*', 'graphql', 'type-graphql', 'bullmq', 'ioredis', '../customers*', '../http*', '../graphql*', '../jobs*', '../db*'] },
      ],
    },
  },
  {
    files: ['src/main.ts', 'src/db/migrate.ts', 'src/demo/main.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
