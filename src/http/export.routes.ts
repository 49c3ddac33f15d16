import { Response, Router } from 'express';
import { Database } from '../db/scope';
import { ExportService } from '../exports';

/**
 * `GET /c/{slug}/exports/{id}?expires=…&sig=…`: the signed download link of a profile export, in
 * one transaction scoped to the customer of the URL. Never cached: the body is a person's data.
 */
export function exportRoutes(exports: ExportService, db: Database): Router {
  const router = Router();
  router.get('/c/:slug/exports/:id', async (req, res) => {
    const expires = typeof req.query.expires === 'string' ? req.query.expires : null;
    const sig = typeof req.query.sig === 'string' ? req.query.sig : null;
    const result = await db.forSlug(req.params.slug, () => exports.download(req.params.id, expires, sig));
    switch (result.kind) {
      case 'document':
        res.set({ 'Cache-Control': 'no-store', 'Content-Disposition': `attachment; filename="${result.filename}"`, 'X-Content-Type-Options': 'nosniff' });
        res.status(200).type('application/json').send(result.body);
        return;
      case 'forbidden':
        return sendText(res, 403, 'error: invalid_signature');
      case 'gone':
        return sendText(res, 410, 'error: expired');
      case 'not_found':
        return sendText(res, 404, 'error: not_found');
      case 'restricted':
        return sendText(res, 403, 'error: processing_restricted');
    }
  });
  return router;
}

function sendText(res: Response, status: number, body: string): void {
  res.set('Cache-Control', 'no-store');
  res.status(status).type('text/plain').send(`${body}\n`);
}
