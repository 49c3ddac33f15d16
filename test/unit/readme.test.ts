import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeConfig } from '../../src/config';

describe('README', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

  it('documents every configuration variable with its default and meaning', () => {
    for (const [name, def, description] of describeConfig()) {
      expect(readme).toContain(`| \`${name}\` | ${def ? `\`${def}\`` : '—'} | ${description} |`);
    }
  });
});
