import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import express, { Router } from 'express';

/** The built app's page, served for every path of the app (its router picks the page). */
const INDEX = 'index.html';
const NOT_BUILT = 'The dashboard is not built: run npm run dashboard:build\n';

/**
 * The built dashboard (Vite, `base: '/dashboard/'`) from `distDir`: hashed files under `assets/` are
 * cached for a year (a new build has new names) and an unknown one is 404; any other path of the app
 * that is no file answers index.html (the app's router shows its page), which is never cached
 * unchecked, so a new build is picked up at the next load. Paths are resolved by serve-static,
 * which refuses `..` and dot files: nothing outside `distDir` is ever read. Without a build,
 * 503 says how to make one.
 */
export function dashboardStatic(distDir: string): Router {
  const router = Router();
  router.use(
    '/assets',
    express.static(join(distDir, 'assets'), { index: false, redirect: false, fallthrough: true, dotfiles: 'ignore', immutable: true, maxAge: '365d' }),
    (_req, res) => {
      res.status(404).type('text/plain').send('error: not_found\n');
    },
  );
  router.use(
    express.static(distDir, {
      index: false,
      redirect: false,
      fallthrough: true,
      dotfiles: 'ignore',
      cacheControl: false,
      setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
    }),
  );
  // The app's own paths (client-side routes): its page, for GET and HEAD only.
  router.get('/{*path}', async (_req, res) => {
    const index = join(distDir, INDEX);
    const isBuilt = await stat(index).then((s) => s.isFile(), () => false);
    if (!isBuilt) {
      res.set('Cache-Control', 'no-store');
      res.status(503).type('text/plain').send(NOT_BUILT);
      return;
    }
    res.set('Cache-Control', 'no-cache');
    res.sendFile(INDEX, { root: distDir, dotfiles: 'deny', cacheControl: false });
  });
  return router;
}
