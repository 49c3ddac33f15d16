import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The npm commands the README's prose tells a reader to paste (`npm run …`, `npm start`, and the
 * script names of its *Scripts* table) name scripts that package.json has.
 */
const ROOT = join(__dirname, '..', '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const scripts = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
/** npm's own commands, which need no script. */
const NPM_COMMANDS = new Set(['ci', 'install']);

/** Each script a backticked `npm …` command runs: `npm run x`, `npm x` (start, test), `npm ci && npm run y`. */
function scriptsOf(command: string): string[] {
  return [...command.matchAll(/\bnpm\s+(?:run\s+)?([a-z][\w:-]*)/g)].map((m) => m[1]!).filter((name) => !NPM_COMMANDS.has(name));
}

describe("the README's npm commands", () => {
  const inBackticks = [...readme.matchAll(/`([^`\n]*\bnpm\s[^`\n]*)`/g)].map((m) => m[1]!);

  it('finds the commands it checks', () => {
    expect(inBackticks).toEqual(expect.arrayContaining(['npm run check:circles', 'npm run schema:check', 'npm start']));
  });

  it('names only scripts package.json has', () => {
    const named = [...new Set(inBackticks.flatMap(scriptsOf))];
    expect(named.filter((name) => !scripts.includes(name))).toEqual([]);
  });

  it("names in the Scripts table only scripts package.json has, the bare ones after 'npm run' too", () => {
    const section = readme.split('\n## Scripts\n')[1]!.split('\n## ')[0]!;
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows.length).toBeGreaterThan(5);
    const named = rows.flatMap((row) =>
      [...row.split(' | ')[0]!.matchAll(/`([^`]+)`/g)].flatMap((m) => (m[1]!.startsWith('npm') ? scriptsOf(m[1]!) : [m[1]!])),
    );
    expect(named).toEqual(expect.arrayContaining(['start', 'test', 'test:unit', 'test:integration', 'test:http', 'demo']));
    expect(named.filter((name) => !scripts.includes(name))).toEqual([]);
  });
});
