import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kind, parse, print, visit } from 'graphql';

const root = join(__dirname, '..', '..', '..');
const script = join(root, 'scripts', 'schema-check.js');
const realSchema = readFileSync(join(root, 'schema.graphql'), 'utf8');
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.org', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.org' };

/** The real schema with one field of one type removed. */
function withoutField(sdl: string, typeName: string, fieldName: string): string {
  return print(
    visit(parse(sdl), {
      ObjectTypeDefinition(node) {
        if (node.name.value !== typeName) return undefined;
        return { ...node, fields: node.fields?.filter((f) => f.name.value !== fieldName) };
      },
    }),
  );
}

/** The real schema with a new nullable field on Query (compatible). */
function withExtraQueryField(sdl: string, fieldName: string): string {
  return print(
    visit(parse(sdl), {
      ObjectTypeDefinition(node) {
        if (node.name.value !== 'Query') return undefined;
        const field = { kind: Kind.FIELD_DEFINITION, name: { kind: Kind.NAME, value: fieldName }, arguments: [], directives: [], type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'String' } } } as const;
        return { ...node, fields: [...(node.fields ?? []), field] };
      },
    }),
  );
}

describe('npm run schema:check (in a scratch git repository)', () => {
  let repo: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: gitEnv, encoding: 'utf8' }).trim();
  const commitSchema = (sdl: string, message: string) => {
    writeFileSync(join(repo, 'schema.graphql'), sdl);
    git('add', 'schema.graphql');
    git('commit', '-q', '--no-gpg-sign', '--allow-empty', '-m', message);
  };
  const check = (...args: string[]) => {
    const res = spawnSync(process.execPath, [script, ...args], { cwd: repo, env: gitEnv, encoding: 'utf8' });
    return { status: res.status, output: `${res.stdout}${res.stderr}` };
  };

  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'ids-schema-check-'));
    git('init', '-q', '-b', 'main');
    commitSchema(realSchema, 'base schema');
    git('checkout', '-q', '-b', 'feature');
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('fails on a removed field, naming it', () => {
    commitSchema(withoutField(realSchema, 'Profile', 'email'), 'drop Profile.email');
    const res = check();
    expect(res.status).toBe(1);
    expect(res.output).toContain('BREAKING: FIELD_REMOVED: Profile.email was removed.');
    expect(res.output).toContain(`against ${git('rev-parse', 'main')} (merge-base of HEAD and main)`);
  });

  it('also checks an uncommitted change in the working tree', () => {
    writeFileSync(join(repo, 'schema.graphql'), withoutField(realSchema, 'Query', 'auditEvents'));
    expect(check()).toMatchObject({ status: 1, output: expect.stringContaining('Query.auditEvents was removed') });
  });

  it('lets a breaking change through when the HEAD commit message carries [breaking-schema]', () => {
    commitSchema(withoutField(realSchema, 'Profile', 'email'), 'drop Profile.email [breaking-schema]\n\nIntegrators were told in the changelog.');
    const res = check();
    expect(res.status).toBe(0);
    expect(res.output).toContain('accepted: the HEAD commit is marked [breaking-schema]');
  });

  it('passes a compatible change (an added field)', () => {
    commitSchema(withExtraQueryField(realSchema, 'healthNote'), 'add Query.healthNote');
    expect(check()).toMatchObject({ status: 0, output: expect.stringContaining('no breaking change against') });
  });

  it('compares with where the branch forked from main, not with later commits on main', () => {
    const base = git('rev-parse', 'HEAD');
    git('checkout', '-q', 'main');
    commitSchema(withExtraQueryField(realSchema, 'newOnMain'), 'main moves on');
    git('checkout', '-q', 'feature');
    commitSchema(withExtraQueryField(realSchema, 'newOnFeature'), 'feature adds a field');
    expect(check()).toMatchObject({ status: 0, output: expect.stringContaining(`against ${base} (merge-base of HEAD and main)`) });
  });

  it('prefers the merge-base with origin/main when there is one', () => {
    const base = git('rev-parse', 'HEAD');
    git('checkout', '-q', 'main');
    commitSchema(withExtraQueryField(realSchema, 'newOnMain'), 'main moves on');
    git('update-ref', 'refs/remotes/origin/main', git('rev-parse', 'HEAD'));
    git('checkout', '-q', 'feature');
    // Against main itself the branch would "remove" newOnMain; against where it forked it changes nothing.
    expect(check('--base', 'main')).toMatchObject({ status: 1, output: expect.stringContaining('Query.newOnMain was removed') });
    const res = check();
    expect(res).toMatchObject({ status: 0, output: expect.stringContaining(`against ${base} (merge-base of HEAD and origin/main)`) });
  });
});
