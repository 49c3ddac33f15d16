import { ownerSql } from '../../support/app';

/**
 * Issue 16: each login step locks the person's profile row once. The lock is taken by the step
 * itself (postback, browser return, consent form), before the request, in the one order every step
 * keeps; the helpers it calls work under that lock instead of taking it again. Read from the
 * functions the migrations installed, so a later migration that brings a second lock back fails here.
 */

/** The body of a function as installed, whitespace folded. */
async function definitionOf(name: string): Promise<string> {
  const rows = await ownerSql(`select pg_get_functiondef(p.oid) as def from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public' and p.proname = $1`, [name]);
  expect(rows).toHaveLength(1);
  return (rows[0].def as string).replace(/\s+/g, ' ');
}

/** Statements of `body` that lock a profile row. */
function profileLocks(body: string): string[] {
  return body.split(';').filter((statement) => /from public\.profile p where .* for update/.test(statement));
}

describe('the profile row is locked once per login step', () => {
  it('the postback locks it, then records the profile on the row it holds', async () => {
    const postback = await definitionOf('ids_flow_postback');
    expect(profileLocks(postback)).toHaveLength(1);
    expect(postback).toContain('public.ids_profile_apply(prof,');
    expect(postback).not.toContain('ids_profile_record(');
  });

  it('recording a profile locks it only where a concurrent postback created the row after the caller looked', async () => {
    const apply = await definitionOf('ids_profile_apply');
    const locks = profileLocks(apply);
    expect(locks).toHaveLength(1);
    expect(locks[0]).toContain('A concurrent postback for the same new user won the insert');
    // ProfileService.recordFromPostback's statement: its one lock, then the same work.
    expect(profileLocks(await definitionOf('ids_profile_record'))).toHaveLength(1);
  });

  it('the return and the consent form lock it before the request, and completing reads under that lock', async () => {
    expect(profileLocks(await definitionOf('ids_flow_complete'))).toEqual([]);
    // The return's privacy center branch (issue 22) completes an account sign-in with a late lock of its own,
    // in a branch exclusive of the assertion's: still at most two locks in any one run of the step.
    for (const [step, lateLocks] of [['ids_flow_return', 2], ['ids_flow_consent', 1]] as const) {
      const body = await definitionOf(step);
      const locks = profileLocks(body);
      // Before the request, and again only when the postback named the user between the unlocked read and the request's lock.
      expect(locks).toHaveLength(1 + lateLocks);
      for (const late of locks.slice(1)) expect(late).toContain('if r.username_hash is distinct from who then perform 1');
    }
  });
});
