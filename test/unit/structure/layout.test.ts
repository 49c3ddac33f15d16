import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The shape of src/ that docs/architecture.md describes, checked so it cannot drift: small files,
 * and each feature reached only through its index.ts (services, types, entities, job handlers).
 */
const root = join(__dirname, '../../..');
const src = join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const files = sourceFiles(src).map((path) => ({ path: relative(root, path), text: readFileSync(path, 'utf8') }));

describe('layout of src/', () => {
  it('has no file over 300 lines', () => {
    const long = files.filter((file) => file.text.split('\n').length - 1 > 300).map((file) => file.path);
    expect(long).toEqual([]);
  });

  it('exports no resolver or route from a feature index.ts', () => {
    const indexes = files.filter((file) => /^src\/[^/]+\/index\.ts$/.test(file.path));
    expect(indexes.length).toBeGreaterThan(5);
    const leaking = indexes.filter((file) => /from '\.\/[^']*\.(resolver|routes)'/.test(file.text)).map((file) => file.path);
    expect(leaking).toEqual([]);
  });
});
