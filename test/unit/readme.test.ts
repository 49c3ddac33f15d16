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

  it('has the deployment-wide gauges (queue depths, audit outbox), reported alike by every instance, aggregated with max, never summed', () => {
    const metrics = readme.slice(readme.indexOf('### Metrics'), readme.indexOf('\n### ', readme.indexOf('### Metrics') + 1));
    expect(metrics).toContain('`max by (region, queue, state) (ids_queue_jobs)`');
    expect(metrics).toContain('`max by (region) (ids_audit_outbox_lag_seconds)`');
    expect(metrics).not.toMatch(/sum[^`]*\((ids_queue_jobs|ids_audit_outbox_\w+)\)/);
  });
});
