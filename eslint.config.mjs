import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const PROCESS_ENV = {
  selector: "MemberExpression[object.name='process'][property.name='env']",
  message: 'Read configuration through src/config, never process.env.',
};

/**
 * One error model (STYLE.md, Errors): features throw coded domain errors or return results; only
 * the transports (src/http/, src/graphql/) know HTTP statuses, each from its one table.
 */
const STATUS_MESSAGE = 'No HTTP status outside the transports: throw a coded DomainError (src/shared/errors.ts) or return a result, and map it in src/http/.';
const HTTP_STATUS = [
  ':matches(NewExpression, CallExpression)[callee.name=/[Ee]rror$/] > Literal[value>=100][value<600]',
  "Property[key.name=/^(status|statusCode)$/] > Literal[value>=100][value<600]",
  "PropertyDefinition[key.name=/^(status|statusCode)$/] > Literal[value>=100][value<600]",
  "TSPropertySignature[key.name=/^(status|statusCode)$/] TSLiteralType > Literal[value>=100][value<600]",
  "TSParameterProperty[parameter.name=/^(status|statusCode)$/] TSLiteralType > Literal[value>=100][value<600]",
].map((selector) => ({ selector, message: STATUS_MESSAGE }));

const FEATURES = 'audit,consent,customers,erasure,exports,identity-flow,oauth,openid-provider,operators,profiles,retention,webhooks';

/** An import-direction rule: in `files`, an import whose path matches `regex` is refused. */
function layer(files, regex, message, ignores = []) {
  return { files, ignores, rules: { 'no-restricted-imports': ['error', { patterns: [{ regex, message }] }] } };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'clients/**/generated/**', 'clients/*/dist/**', 'test-output/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', PROCESS_ENV],
    },
  },
  {
    files: ['src/**/*.ts'],
    // openid/ builds the wire form of direct responses itself (OpenID 2.0 §5.1.2.2: HTTP 400 with a key-value body).
    // admin/ is the queue board's own transport: its pages and the answers of Bull Board's JSON API.
    // dashboard/ is the operators' dashboard's transport: its files, its session API and GraphQL by session.
    ignores: ['src/http/**', 'src/admin/**', 'src/dashboard/**', 'src/graphql/**', 'src/openid/**', 'src/main.ts', 'src/db/migrate.ts', 'src/keys/rotate-keys.ts'],
    rules: { 'no-restricted-syntax': ['error', PROCESS_ENV, ...HTTP_STATUS] },
  },
  {
    // The protocol core stays framework-free (STYLE.md), as an allow-list: Node built-ins, its own
    // files, the pure helpers of shared/ it is handed (clock, randomness, constant-time compare),
    // tldts (public-suffix list for realms) and fast-xml-parser (XRDS documents). Anything else,
    // a feature, the ORM, a transport, is refused.
    files: ['src/openid/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!node:|tldts$|fast-xml-parser$|\\./|\\.\\./shared/(clock|random|secret-compare)$)',
              message: 'src/openid/ imports only Node built-ins, its own files, shared/clock, shared/random, shared/secret-compare, tldts and fast-xml-parser.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/openid/extensions/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!node:|\\./|\\.\\./[^./])',
              message: 'src/openid/extensions/ imports only Node built-ins and files of src/openid/.',
            },
          ],
        },
      ],
    },
  },
  // Which way imports point (docs/architecture.md): shared/ and config/ at the bottom, then the
  // database layer, then the features, then the transports (http/, graphql/, jobs/), then app.ts.
  // madge (npm run check:circles) refuses circles; these rules refuse an import that points up.
  layer(['src/shared/*.ts'], '^\\.\\./', 'shared/ imports nothing else of src/.'),
  layer(['src/shared/*/*.ts'], '^\\.\\./\\.\\./', 'shared/ imports nothing else of src/.'),
  layer(['src/config/*.ts'], '^\\.\\./(?!shared/)', 'config/ imports only shared/.'),
  // db/entities.ts is the entity list the ORM is configured with: the one place db/ names features.
  layer(['src/db/*.ts'], '^\\.\\./(?!shared/|config)', 'db/ imports only shared/ and config/ (entities.ts lists the entities).', ['src/db/entities.ts']),
  layer(['src/db/migrations/*.ts'], '^\\.\\./\\.\\./(?!shared/|config)', 'migrations import only db/, shared/ and config/.'),
  // A feature never imports a transport or the composition root. Its GraphQL adapters (resolvers,
  // types, inputs) live beside it and use graphql/'s helpers.
  layer(
    [`src/{${FEATURES}}/**/*.ts`],
    '^\\.\\./(http|graphql|app|main)(/|$)',
    'A feature never imports http/, graphql/ or the composition root; only its *.resolver.ts, *.type.ts and *.input.ts use graphql/.',
    ['src/*/*.resolver.ts', 'src/*/*.type.ts', 'src/*/*.input.ts'],
  ),
  {
    files: ['src/main.ts', 'src/db/migrate.ts', 'src/keys/rotate-keys.ts', 'demo/main.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
