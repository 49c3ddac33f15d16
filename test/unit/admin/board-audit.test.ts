import { appRoutes } from '@bull-board/api/dist/routes';
import { boardAuditRecord } from '../../../src/admin/board-audit';
import { withoutExternalFonts } from '../../../src/admin/queue-board';

describe('queue board audit records', () => {
  const changing = appRoutes.api.flatMap((route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const paths = Array.isArray(route.route) ? route.route : [route.route];
    return methods.filter((m) => m !== 'get').map((m) => [m, paths[0]!] as const);
  });

  it('names every changing route of the installed Bull Board (a new one fails here until it is named)', () => {
    expect(changing.length).toBeGreaterThan(20);
    for (const [method, route] of changing) {
      expect([method, route, boardAuditRecord(method, route, {}, {}, 'token-1')!.action]).not.toEqual([method, route, 'queue_board.action']);
    }
  });

  it('records nothing for reads', () => {
    expect(boardAuditRecord('get', '/api/queues', {}, {}, 'token-1')).toBeNull();
  });

  it('names the operator token, the queue, the job and the status, on the platform chain', () => {
    expect(boardAuditRecord('put', '/api/queues/:queueName/:jobId/retry', { queueName: 'erasure', jobId: '42' }, { queueStatus: 'failed' }, 'token-1')).toEqual({
      customerId: null,
      action: 'queue_board.job_retried',
      target: { type: 'queue_job', id: 'erasure:42' },
      details: { operatorTokenId: 'token-1', queue: 'erasure', jobId: '42', status: 'failed', schedulerId: null, route: 'PUT /api/queues/:queueName/:jobId/retry' },
      actor: { kind: 'OPERATOR', id: 'token-1' },
    });
    expect(boardAuditRecord('put', '/api/queues/:queueName/clean/:queueStatus', { queueName: 'audit', queueStatus: 'completed' }, {}, 't')).toMatchObject({
      action: 'queue_board.jobs_cleaned',
      target: { type: 'queue', id: 'audit' },
      details: { status: 'completed' },
    });
    expect(boardAuditRecord('put', '/api/queues/pause', {}, {}, 't')).toMatchObject({ action: 'queue_board.all_paused', target: { type: 'queue', id: 'all' } });
  });

  it('still audits a changing route it does not know, by its route', () => {
    expect(boardAuditRecord('post', '/api/queues/:queueName/something-new', { queueName: 'audit' }, {}, 't')).toMatchObject({ action: 'queue_board.action', details: { route: 'POST /api/queues/:queueName/something-new' } });
  });
});

describe('the board page', () => {
  it('loses its links to other origins (the web font) and keeps its own', () => {
    const html = '<link href="https://fonts.googleapis.com/css2?family=IBM" rel="stylesheet">\n<link href="static/css/main.css" rel="stylesheet">';
    expect(withoutExternalFonts(html)).toBe('\n<link href="static/css/main.css" rel="stylesheet">');
  });
});
