import { App } from '../../../src/app';
import { platformScope } from '../../../src/db/scope';
import { ownerSql, resetDatabase, startTestApp } from '../../support/app';

describe('work deferred until the commit (Database.afterCommit)', () => {
  let app: App;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.stop());
  beforeEach(() => resetDatabase());

  it('runs after the transaction committed, when its rows are visible to other connections', async () => {
    const seen: number[] = [];
    await app.db.run(platformScope('test'), async () => {
      await app.orm.em.execute(`insert into customer (id, slug, name, verify_url, region, prompt_policy, created_at, updated_at)
        values (gen_random_uuid(), 'later', 'Later', 'https://aw.example.com/verify', 'EU', 'PROMPT', now(), now())`);
      app.db.afterCommit(async () => {
        seen.push((await ownerSql(`select count(*)::int as n from customer where slug = 'later'`))[0].n);
      });
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual([1]);
  });

  it('never runs when the transaction rolls back, and a failing callback does not fail the committed work', async () => {
    const ran: string[] = [];
    await expect(
      app.db.run(platformScope('test'), async () => {
        app.db.afterCommit(async () => void ran.push('rolled back'));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(
      app.db.run(platformScope('test'), async () => {
        app.db.afterCommit(async () => {
          throw new Error('queue down');
        });
        app.db.afterCommit(async () => void ran.push('second'));
        return 'committed';
      }),
    ).resolves.toBe('committed');
    expect(ran).toEqual(['second']);
  });
});
