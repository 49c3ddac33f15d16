import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Region } from '../../../src/customers/customer.entity';
import { docExample } from '../../support/doc-examples';

/** The README's diagrams name things that exist: the source tree's folders, the regions. */
const ROOT = join(__dirname, '..', '..', '..');

describe("the README's diagrams", () => {
  it("'source-layout' lists every folder and file of src/ at its top, and nothing that is not there", () => {
    const lines = docExample('README.md', 'source-layout').body.split('\n');
    expect(lines[0]).toBe('src/');
    const listed = lines.map((line) => /^ {2}([\w.-]+\/?)\s/.exec(line)?.[1]).filter((name): name is string => name !== undefined);
    const actual = readdirSync(join(ROOT, 'src')).map((name) => (statSync(join(ROOT, 'src', name)).isDirectory() ? `${name}/` : name));
    expect([...listed].sort()).toEqual([...actual].sort());
    const topLevel = lines.map((line) => /^([a-z][\w./-]*)\s/.exec(line)?.[1]).filter((name): name is string => name !== undefined);
    expect(topLevel).toEqual(expect.arrayContaining(['clients/typescript', 'demo/', 'test/', 'schema.graphql']));
    expect(topLevel.filter((name) => !existsSync(join(ROOT, name)))).toEqual([]);
  });

  it("'regions-deployment' names one deployment per region, each a region we have", () => {
    const regions = [...docExample('README.md', 'regions-deployment').body.matchAll(/REGIONS=(\w+)/g)].map((m) => m[1]!);
    expect([...regions].sort()).toEqual(Object.values(Region).sort());
  });
});
