import type { Queue } from 'bullmq';
import type { Express, RequestHandler } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { AfterHook, BeforeHook } from '@bull-board/api/dist/types';
import { ExpressAdapter } from '@bull-board/express';

/** Where the board lives; its page, static files and JSON API are all under it. */
export const BOARD_PATH = '/admin/queues';

/** One region's queues, as the board shows them. */
export interface BoardRegion {
  region: string;
  queues: readonly Queue[];
}

/**
 * The board's CSP: its scripts, styles, images and API calls from this origin only, no inline
 * script (its one inline `<script>` is a JSON data block, which is never run). Inline styles are
 * allowed: its loading placeholder and the UI's components set them. Never framed.
 */
export const BOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'";

/**
 * Bull Board (`@bull-board/express`) over every served region's queues: one set per region, named
 * `{region}.{queue}` (grouped by region in the board's menu) when there are several, plain queue
 * names when there is one. `hooks.before` may refuse an API call before it runs; `hooks.after` runs
 * after each successful one (the audit hook).
 */
export function queueBoard(regions: readonly BoardRegion[], hooks: { before: BeforeHook; after: AfterHook }): RequestHandler {
  const adapter = new ExpressAdapter().setBasePath(BOARD_PATH);
  const isMultiRegion = regions.length > 1;
  createBullBoard({
    queues: regions.flatMap(({ region, queues }) =>
      queues.map((queue) => new BullMQAdapter(queue, isMultiRegion ? { prefix: `${region}.`, delimiter: '.', description: `region ${region}` } : {})),
    ),
    serverAdapter: adapter,
    options: {
      uiConfig: { boardTitle: 'Queues', miscLinks: [{ text: 'Sign out', url: '/admin/logout' }] },
      handlerHooks: hooks,
    },
  });
  const board = adapter.getRouter() as Express;
  board.disable('x-powered-by');
  return (req, res, next) => {
    res.set('Content-Security-Policy', BOARD_CSP);
    res.set('Cache-Control', 'no-store');
    // The page links a web font from fonts.googleapis.com: our CSP would refuse it (and each admin's
    // visit would be announced to Google), so that link is taken out; the UI falls back to system fonts.
    const render = res.render.bind(res);
    res.render = ((view: string, options?: object) =>
      render(view, options ?? {}, (err: Error | null, html: string) => (err ? next(err) : res.send(withoutExternalFonts(html))))) as typeof res.render;
    board(req, res, next);
  };
}

/** The page without `<link>`s to other origins. */
export function withoutExternalFonts(html: string): string {
  return html.replace(/<link\b[^>]*href="https?:\/\/[^"]*"[^>]*>/gi, '');
}
