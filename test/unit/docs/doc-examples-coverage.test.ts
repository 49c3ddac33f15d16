import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DOCUMENTS, docExample, docExamples } from '../../support/doc-examples';

/**
 * Issue 20: every command and example of the project's documents is exercised by a test. Each
 * fenced block carries a tag `<!-- example: <id> -->` (test/support/doc-examples.ts), and some file
 * under test/ (or `.ci/run`, which runs the README's test command) names that id as a string
 * literal, which is how a runner takes the block. A block added without a tag, or with a tag no test
 * uses, fails here.
 */
const ROOT = join(__dirname, '..', '..', '..');
const SELF = relative(ROOT, __filename);
const CI_RUN = '.ci/run';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every test file and helper (but this one), and `.ci/run`, by path relative to the repository. */
function namingSources(): Map<string, string> {
  const sources = new Map<string, string>();
  for (const path of filesUnder(join(ROOT, 'test'))) {
    const name = relative(ROOT, path);
    if (name !== SELF && /\.(ts|js)$/.test(name)) sources.set(name, readFileSync(path, 'utf8'));
  }
  sources.set(CI_RUN, readFileSync(join(ROOT, CI_RUN), 'utf8'));
  return sources;
}

const present = DOCUMENTS.filter((document) => existsSync(join(ROOT, document)));

describe('examples of the documents', () => {
  it('covers the README at least', () => {
    expect(present).toContain('README.md');
  });

  describe.each(present)('%s', (document) => {
    const examples = docExamples(document);

    it('tags every fenced block with an example id', () => {
      const untagged = examples.filter((e) => e.id === '').map((e) => `line ${e.line}`);
      expect(untagged).toEqual([]);
    });

    it('uses each id once', () => {
      const ids = examples.map((e) => e.id).filter(Boolean);
      expect(ids.filter((id, at) => ids.indexOf(id) !== at)).toEqual([]);
    });

    it('has a test (or .ci/run) naming every id', () => {
      const sources = [...namingSources().values()];
      const unused = examples.filter((e) => e.id !== '' && !sources.some((text) => text.includes(`'${e.id}'`))).map((e) => `${e.id} (line ${e.line})`);
      expect(unused).toEqual([]);
    });
  });

  // The README's `npm test` is covered by CI itself: .ci/run ends by running it ('two-commands').
  it(".ci/run installs and tests with the README's commands", () => {
    const lines = docExample('README.md', 'two-commands')
      .body.split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim());
    expect(lines).toEqual(['npm ci && npm start', 'npm test']);
    const ci = readFileSync(join(ROOT, CI_RUN), 'utf8')
      .split('\n')
      .map((line) => line.trim());
    expect(ci).toContain(`${lines[1]}`);
    expect(ci.some((line) => line.startsWith('npm ci '))).toBe(true);
  });
});
