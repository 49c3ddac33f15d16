import { useCallback } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { DateTime } from '../../components/date-time';
import { useCustomerId } from '../../components/route-params';
import { Empty, ErrorNotice, Loading } from '../../components/states';
import { DashboardDeletionRequestDocument } from '../../generated/graphql';
import { usePoll } from './use-poll';

const STATUS_WORDS: Record<string, string> = {
  PENDING: 'Waiting for the erasure worker…',
  RUNNING: 'Being erased, batch by batch…',
  COMPLETED: 'Completed: only this receipt remains.',
  FAILED: 'Failed after repeated errors. Ask for the erasure again.',
};

/**
 * `/c/:customerId/profiles/deletions/:deletionRequestId`: a deletion request's progress and then
 * its receipt (id, when it completed, rows erased per table). It holds no personal data and needs
 * no profile, so it stays readable once the person is gone.
 */
export function DeletionReceiptPage() {
  const customerId = useCustomerId();
  const { deletionRequestId = '' } = useParams();
  const [result, reexecute] = useQuery({ query: DashboardDeletionRequestDocument, variables: { id: deletionRequestId }, requestPolicy: 'network-only' });
  const request = result.data?.deletionRequest;
  const refresh = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  const open = !!request && (request.status === 'PENDING' || request.status === 'RUNNING');
  usePoll(open && !result.error, refresh);
  const profiles = `/c/${encodeURIComponent(customerId)}/profiles`;

  if (result.fetching && !result.data) return <><h1>Deletion receipt</h1><Loading what="the deletion request" /></>;
  if (!request || request.customerId !== customerId) {
    return (
      <>
        <h1>Deletion receipt</h1>
        <ErrorNotice error={result.error} extensions={result.extensions} />
        {!result.error && <Empty>There is no deletion request with this id for this customer.</Empty>}
        <p><Link to={profiles}>Back to profiles</Link></p>
      </>
    );
  }
  return (
    <>
      <h1>Deletion receipt</h1>
      <p><Link to={profiles}>Back to profiles</Link></p>
      <ErrorNotice error={result.error} extensions={result.extensions} />
      <p aria-live="polite" className={request.status === 'COMPLETED' ? 'notice-ok' : request.status === 'FAILED' ? 'state state-error' : 'state'} data-status={request.status}>
        {STATUS_WORDS[request.status] ?? request.status}
      </p>
      <dl className="details">
        <dt>Receipt id</dt>
        <dd><code>{request.id}</code></dd>
        <dt>Profile erased</dt>
        <dd>{request.profileId ? <code>{request.profileId}</code> : <span className="muted">—</span>}</dd>
        <dt>Requested</dt>
        <dd><DateTime value={request.requestedAt} /> by {request.requestedByKind.toLowerCase()} <code>{request.requestedById}</code></dd>
        <dt>Started</dt>
        <dd><DateTime value={request.startedAt} /></dd>
        <dt>Completed</dt>
        <dd><DateTime value={request.completedAt} /></dd>
        {request.failures > 0 && (
          <>
            <dt>Errors so far</dt>
            <dd>{request.failures}</dd>
          </>
        )}
      </dl>
      <h2>What was erased</h2>
      {request.counts.length === 0 ? (
        <Empty>{open ? 'Nothing erased yet.' : 'No rows were erased.'}</Empty>
      ) : (
        <div className="table-wrap contained">
          <table>
            <caption className="visually-hidden">Rows erased per table</caption>
            <thead>
              <tr><th scope="col">Table</th><th scope="col">Rows erased</th></tr>
            </thead>
            <tbody>
              {request.counts.map((c) => (
                <tr key={c.table}><td><code>{c.table}</code></td><td>{c.count}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
