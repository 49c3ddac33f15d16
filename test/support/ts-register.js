/**
 * `node -r ./test/support/ts-register.js src/main.ts`: runs the TypeScript sources without a build.
 * Each file is transpiled on its own, as ts-jest does with isolatedModules (no type check: that is
 * `npm run typecheck`), and the output is cached on disk by content, so a test that starts the
 * service or the migrations as a child process never waits for `tsc` and a warm start does not even
 * load the compiler.
 */
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const TSCONFIG = join(ROOT, 'tsconfig.json');
const CACHE = join(tmpdir(), 'ids-test-transpiled');
// Output depends on the compiler's version and options as well as on the source.
const salt = `${require('typescript/package.json').version}\0${readFileSync(TSCONFIG, 'utf8')}`;
let compilerOptions;

function transpile(source, filename) {
  const ts = require('typescript');
  if (!compilerOptions) {
    const { config } = ts.readConfigFile(TSCONFIG, ts.sys.readFile);
    compilerOptions = { ...ts.convertCompilerOptionsFromJson(config.compilerOptions, ROOT).options, sourceMap: false, inlineSourceMap: true, declaration: false };
  }
  return ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
}

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = readFileSync(filename, 'utf8');
  const key = createHash('sha256').update(salt).update('\0').update(filename).update('\0').update(source).digest('hex');
  const cached = join(CACHE, `${key}.js`);
  let output;
  try {
    output = readFileSync(cached, 'utf8');
  } catch {
    output = transpile(source, filename);
    mkdirSync(CACHE, { recursive: true });
    // Written aside, then renamed: processes starting side by side never read half a file.
    const partial = `${cached}.${process.pid}`;
    writeFileSync(partial, output);
    renameSync(partial, cached);
  }
  module._compile(output, filename);
};
