#!/usr/bin/env node
/**
 * `npm run schema:check`: compares the working tree's schema.graphql with the one the branch started
 * from and fails on a breaking change (graphql-js's own findBreakingChanges: a removed field or type,
 * a changed argument or field type, a new required argument, …), unless the HEAD commit message
 * carries the marker `[breaking-schema]`.
 *
 * The base is the merge-base of HEAD and `origin/main` when that remote branch exists (in CI on a
 * pull request), else the merge-base of HEAD and the local `main` (a checkout without remotes, such
 * as a worktree): what the branch forked from, so fields added on main since then are not read as
 * removed by the branch. On main itself that is HEAD and the check passes: breaking changes are
 * caught on the branch, before they are merged. `--base <rev>` picks another revision.
 * Dangerous but compatible changes (a new enum value, a changed default) are printed, not failed.
 */
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { buildSchema, findBreakingChanges, findDangerousChanges } = require('graphql');

const MARKER = '[breaking-schema]';
const git = (...args) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const tryGit = (...args) => {
  try {
    return git(...args);
  } catch {
    return null;
  }
};

function baseRevision(argv) {
  const i = argv.indexOf('--base');
  if (i >= 0 && argv[i + 1]) return { rev: argv[i + 1], why: 'given with --base' };
  for (const branch of ['origin/main', 'main']) {
    if (!tryGit('rev-parse', '--verify', '--quiet', `${branch}^{commit}`)) continue;
    const mergeBase = tryGit('merge-base', 'HEAD', branch);
    if (mergeBase) return { rev: mergeBase, why: `merge-base of HEAD and ${branch}` };
  }
  return { rev: 'main', why: 'the main branch' };
}

function main(argv) {
  const root = git('rev-parse', '--show-toplevel');
  const { rev, why } = baseRevision(argv);
  const baseText = tryGit('show', `${rev}:schema.graphql`);
  if (baseText === null) {
    console.log(`schema:check: no schema.graphql at ${rev} (${why}); nothing to compare`);
    return 0;
  }
  const current = buildSchema(readFileSync(join(root, 'schema.graphql'), 'utf8'));
  const base = buildSchema(baseText);
  const breaking = findBreakingChanges(base, current);
  for (const change of findDangerousChanges(base, current)) console.log(`dangerous: ${change.type}: ${change.description}`);
  if (breaking.length === 0) {
    console.log(`schema:check: no breaking change against ${rev} (${why})`);
    return 0;
  }
  for (const change of breaking) console.log(`BREAKING: ${change.type}: ${change.description}`);
  const message = tryGit('log', '-1', '--format=%B', 'HEAD') ?? '';
  if (message.includes(MARKER)) {
    console.log(`schema:check: ${breaking.length} breaking change(s) against ${rev}, accepted: the HEAD commit is marked ${MARKER}`);
    return 0;
  }
  console.error(
    `schema:check: ${breaking.length} breaking change(s) against ${rev} (${why}). Keep the old fields (deprecate them instead), ` +
      `or, if integrators have been told, put ${MARKER} in the commit message.`,
  );
  return 1;
}

process.exitCode = main(process.argv.slice(2));
