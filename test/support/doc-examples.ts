import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The examples of the project's own documents, as the reader pastes them. Every fenced block of
 * README.md and clients/typescript/README.md is preceded by a line `<!-- example: <id> -->`; a test
 * takes a block by its id and runs it against a live service (issue 20: every command and example
 * in the README is exercised by a test). test/unit/docs/doc-examples-coverage.test.ts fails when a block
 * has no id, or when no test names its id.
 */
export const DOCUMENTS = ['README.md', 'clients/typescript/README.md'] as const;
export type DocumentName = (typeof DOCUMENTS)[number];

export interface DocExample {
  id: string;
  /** The fence's info string (`sh`, `ts`, `yaml`, …), '' when none. */
  lang: string;
  /** The block's text, without its fences. */
  body: string;
  /** 1-based line of the opening fence. */
  line: number;
}

const ROOT = join(__dirname, '..', '..');
const TAG = /^<!--\s*example:\s*([a-z0-9][a-z0-9-]*)\s*-->\s*$/;
const FENCE = /^(\s*)(```+|~~~+)\s*([^\s`]*)/;

/** Every fenced block of a document, with the id of the tag line just before it ('' when untagged). */
export function docExamples(document: DocumentName): DocExample[] {
  const lines = readFileSync(join(ROOT, document), 'utf8').split('\n');
  const found: DocExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j]!.trimStart().startsWith(fence); j++) body.push(lines[j]!);
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    const tag = k >= 0 ? TAG.exec(lines[k]!.trim()) : null;
    found.push({ id: tag?.[1] ?? '', lang: open[3] ?? '', body: body.join('\n'), line: i + 1 });
    i = j;
  }
  return found;
}

/** The block tagged `id` in a document; throws when there is none, so a renamed example fails its test. */
export function docExample(document: DocumentName, id: string): DocExample {
  const matches = docExamples(document).filter((e) => e.id === id);
  if (matches.length !== 1) throw new Error(`${document}: expected one example tagged '${id}', found ${matches.length}`);
  return matches[0]!;
}
