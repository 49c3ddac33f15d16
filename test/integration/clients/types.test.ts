import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const tsc = (project: string) => {
  const res = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', project], { encoding: 'utf8' });
  return { status: res.status, output: `${res.stdout}${res.stderr}` };
};

describe('the SDK type-level test (clients/typescript/test/types.ts)', () => {
  it('compiles: results are inferred from the documents and every @ts-expect-error line is an error', () => {
    expect(tsc(join(root, 'clients/typescript/test/tsconfig.json'))).toEqual({ status: 0, output: '' });
  }, 60_000);

  it('fails to compile once the @ts-expect-error markers are gone, at the wrong field names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ids-sdk-types-'));
    try {
      const source = readFileSync(join(root, 'clients/typescript/test/types.ts'), 'utf8')
        .split('\n')
        .filter((line) => !line.includes('@ts-expect-error'))
        .join('\n')
        .replace("from '../src'", `from ${JSON.stringify(join(root, 'clients/typescript/src'))}`);
      writeFileSync(join(dir, 'types.ts'), source);
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          extends: join(root, 'clients/typescript/tsconfig.json'),
          compilerOptions: { noEmit: true, rootDir: '/', declaration: false, declarationMap: false, typeRoots: [join(root, 'node_modules/@types')] },
          include: [join(dir, 'types.ts')],
        }),
      );
      const res = tsc(join(dir, 'tsconfig.json'));
      expect(res.status).not.toBe(0);
      expect(res.output).toContain("Property 'emial' does not exist");
      expect(res.output).toContain("Property 'nickname' does not exist");
      expect(res.output).toContain("Property 'actoor' does not exist");
      expect(res.output).toMatch(/'frist' does not exist in type/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
