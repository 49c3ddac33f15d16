import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * docs/protocol.md is the project's own protocol reference, and source comments cite its sections by
 * anchor (`docs/protocol.md#postback`). A renamed or removed section must not leave citations
 * pointing nowhere, and nothing may point at a reference outside the repository any more.
 */
const ROOT = resolve(__dirname, '..', '..', '..');
const PROTOCOL = 'docs/protocol.md';
const SKIPPED = new Set(['node_modules', '.git', 'dist', 'coverage', 'test-output', 'bench']);
const TEXT = /\.(ts|js|mjs|cjs|md|graphql|json|ya?ml|sql|sh|txt|html)$|^run$|^Dockerfile$/;

function repositoryFiles(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return repositoryFiles(path);
    return entry.isFile() && TEXT.test(entry.name) ? [path] : [];
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function headingSlug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function protocolAnchors(text: string): { anchors: Set<string>; sections: Set<string> } {
  const anchors = new Set<string>();
  const sections = new Set<string>();
  for (const match of text.matchAll(/<a id="([^"]+)"><\/a>/g)) anchors.add(match[1]!);
  for (const match of text.matchAll(/^#{1,6} (.+)$/gm)) {
    anchors.add(headingSlug(match[1]!));
    const number = /^(\d+(?:\.\d+)*)\.? /.exec(match[1]!);
    if (number) sections.add(number[1]!);
  }
  return { anchors, sections };
}

const files = repositoryFiles();
const read = (path: string) => readFileSync(path, 'utf8');
const { anchors, sections } = protocolAnchors(read(join(ROOT, PROTOCOL)));

/** Every citation of docs/protocol.md in the repository: `[file, anchor or §section]`. */
function citations(): Array<[file: string, target: string]> {
  const found: Array<[string, string]> = [];
  for (const file of files) {
    const name = relative(ROOT, file).split(sep).join('/');
    const text = read(file);
    for (const match of text.matchAll(/protocol\.md(#[A-Za-z0-9_-]+| §\d+(?:\.\d+)*)/g)) {
      // Written from docs/ it is `protocol.md#…`; from anywhere else `docs/protocol.md#…`.
      found.push([name, match[1]!.trim()]);
    }
    if (name === PROTOCOL) for (const match of text.matchAll(/\]\((#[A-Za-z0-9_-]+)\)/g)) found.push([name, match[1]!]);
  }
  return found;
}

describe('docs/protocol.md citations', () => {
  it('has the anchors the source comments rely on', () => {
    for (const anchor of ['flow', 'states', 'postback', 'verify-url', 'return-url', 'consent', 'sreg', 'decisions']) expect(anchors).toContain(anchor);
  });

  it('every anchor and § number of docs/protocol.md cited in the repository exists in the document', () => {
    const cited = citations();
    expect(cited.length).toBeGreaterThan(50);
    const missing = cited.filter(([, target]) => (target.startsWith('#') ? !anchors.has(target.slice(1)) : !sections.has(target.slice(1))));
    expect(missing).toEqual([]);
  });

  it('no file mentions the old out-of-repository reference', () => {
    const oldName = ['PROTOCOL', 'md'].join('.');
    expect(files.filter((file) => read(file).includes(oldName)).map((file) => relative(ROOT, file))).toEqual([]);
  });

  it('no relative path leaves the repository (a link to ../shared or further up)', () => {
    const escaping: string[] = [];
    for (const file of files) {
      for (const match of read(file).matchAll(/(?:\.\.\/)+shared\b[\w./-]*/g)) {
        const target = resolve(dirname(file), match[0]);
        if (relative(ROOT, target).startsWith('..')) escaping.push(`${relative(ROOT, file)}: ${match[0]}`);
      }
    }
    expect(escaping).toEqual([]);
  });
});
