import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { describeError, type Problem } from '../../api/errors';
import { DateTime } from '../../components/date-time';
import { Pager, useCursorPages } from '../../components/pagination';
import { Empty, ErrorNotice, Loading } from '../../components/states';
import {
  DashboardRedeliverFailedWebhooksDocument,
  DashboardRedeliverWebhookDocument,
  DashboardWebhookDeliveriesDocument,
  type DashboardWebhookDeliveryFragment,
  type WebhookDeliveryStatus,
} from '../../generated/graphql';
import { localToIso } from '../audit/filters';

const PAGE_SIZE = 20;
/** While a delivery is pending the list is asked again this often, until none is. */
const REFRESH_MS = 1500;

const STATUS_BADGE: Record<WebhookDeliveryStatus, string> = { SUCCEEDED: 'ok', FAILED: 'bad', PENDING: 'warn' };

const ERROR_WORDS: Record<string, string> = {
  timeout: 'timed out',
  dns_failed: 'host name did not resolve',
  address_refused: 'address not allowed for webhooks',
  connect_failed: 'could not connect',
  tls_failed: 'TLS handshake failed',
  response_failed: 'answer broke off',
  endpoint_disabled: 'endpoint disabled',
};

/** A `datetime-local` value for a moment, in the viewer's zone. */
function localValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function Attempts({ delivery }: { delivery: DashboardWebhookDeliveryFragment }) {
  if (delivery.attempts.length === 0) return <span className="muted">None yet</span>;
  return (
    <ol className="attempts">
      {delivery.attempts.map((attempt, i) => (
        <li key={`${i}-${attempt.attemptedAt}`}>
          <DateTime value={attempt.attemptedAt} /> · {attempt.statusCode != null ? `HTTP ${attempt.statusCode}` : 'no answer'}
          {attempt.error && (
            <>
              {' '}
              · {ERROR_WORDS[attempt.error] ?? attempt.error} (<code>{attempt.error}</code>)
            </>
          )}{' '}
          · {attempt.latencyMs} ms
        </li>
      ))}
    </ol>
  );
}

/**
 * One endpoint's deliveries, newest first, with their attempts; "Redeliver" per delivery and
 * "Redeliver failed since…". The list refreshes itself while any delivery is pending.
 */
export function Deliveries({ endpointId, refreshKey }: { endpointId: string; refreshKey: number }) {
  const id = useId();
  const [status, setStatus] = useState<WebhookDeliveryStatus | ''>('');
  const pages = useCursorPages();
  const filter = status ? { endpointId, status } : { endpointId };
  const [result, refresh] = useQuery({ query: DashboardWebhookDeliveriesDocument, variables: { filter, first: PAGE_SIZE, after: pages.after } });
  const [redelivery, redeliver] = useMutation(DashboardRedeliverWebhookDocument);
  const [bulk, redeliverFailed] = useMutation(DashboardRedeliverFailedWebhooksDocument);
  const [since, setSince] = useState(() => localValue(new Date(Date.now() - 24 * 3600 * 1000)));
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  const connection = result.data?.webhookDeliveries;
  const anyPending = connection?.nodes.some((d) => d.status === 'PENDING') ?? false;

  useEffect(() => {
    if (refreshKey > 0) refresh({ requestPolicy: 'network-only' });
  }, [refreshKey, refresh]);

  useEffect(() => {
    if (!anyPending || result.fetching) return undefined;
    const timer = setTimeout(() => refresh({ requestPolicy: 'network-only' }), REFRESH_MS);
    return () => clearTimeout(timer);
  }, [anyPending, result.fetching, result.data, refresh]);

  const report = (text: string | null, failure: Problem | null) => {
    setNotice(text);
    setProblem(failure);
    requestAnimationFrame(() => noticeRef.current?.focus());
  };

  const again = async (delivery: DashboardWebhookDeliveryFragment) => {
    const res = await redeliver({ deliveryId: delivery.id });
    if (res.error) return report(null, describeError(res.error, res.extensions));
    report(`The ${delivery.eventType} event was sent again as a new delivery (same event id).`, null);
    pages.reset();
    refresh({ requestPolicy: 'network-only' });
  };

  const againFailed = async (e: FormEvent) => {
    e.preventDefault();
    const iso = localToIso(since);
    if (!iso) return report(null, { message: 'Enter the time from which failed deliveries are sent again.', code: null, requestId: null, fields: {} });
    const res = await redeliverFailed({ endpointId, since: iso });
    if (res.error) return report(null, describeError(res.error, res.extensions));
    const n = res.data?.redeliverFailedWebhooks ?? 0;
    report(n === 0 ? 'No failed deliveries since then: nothing was sent again.' : `${n} failed deliver${n === 1 ? 'y was' : 'ies were'} sent again as new deliveries.`, null);
    pages.reset();
    refresh({ requestPolicy: 'network-only' });
  };

  return (
    <section aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Deliveries</h2>
      <div className="filters">
        <div>
          <label htmlFor={`${id}-status`}>Status</label>
          <select
            id={`${id}-status`}
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as WebhookDeliveryStatus | '');
              pages.reset();
            }}
          >
            <option value="">Any</option>
            <option value="PENDING">Pending</option>
            <option value="SUCCEEDED">Succeeded</option>
            <option value="FAILED">Failed</option>
          </select>
        </div>
        <form className="inline-form" onSubmit={(e) => void againFailed(e)} noValidate>
          <div>
            <label htmlFor={`${id}-since`}>Failed since</label>
            <input id={`${id}-since`} type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />
          </div>
          <button type="submit" disabled={bulk.fetching}>
            Redeliver failed since…
          </button>
        </form>
      </div>
      <div ref={noticeRef} tabIndex={-1} aria-live="polite" data-testid="delivery-outcome">
        {notice && <p className="notice-ok">{notice}</p>}
        {problem && <ErrorNotice problem={problem} />}
      </div>
      {anyPending && <p className="muted" role="status">Some deliveries are pending; this list refreshes until they finish.</p>}
      {result.error && <ErrorNotice error={result.error} extensions={result.extensions} />}
      {!connection && result.fetching && <Loading what="deliveries" />}
      {connection && connection.nodes.length === 0 && <Empty>No deliveries{status ? ' in this status' : ''} yet. Send a test event to see one.</Empty>}
      {connection && connection.nodes.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption>Deliveries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Next attempt</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {connection.nodes.map((delivery) => (
                <tr key={delivery.id} data-delivery-id={delivery.id}>
                  <td>
                    <DateTime value={delivery.createdAt} />
                  </td>
                  <td>
                    <code className="nowrap">{delivery.eventType}</code>
                    <div className="muted">
                      event <code>{delivery.eventId}</code>
                    </div>
                  </td>
                  <td>
                    <span className={`badge ${STATUS_BADGE[delivery.status]}`}>{delivery.status.toLowerCase()}</span>
                    {delivery.completedAt && (
                      <div className="muted">
                        <DateTime value={delivery.completedAt} />
                      </div>
                    )}
                  </td>
                  <td>
                    <span className="visually-hidden">{delivery.attemptCount} attempts: </span>
                    <Attempts delivery={delivery} />
                  </td>
                  <td>{delivery.status === 'PENDING' ? <DateTime value={delivery.nextAttemptAt} /> : <span className="muted">—</span>}</td>
                  <td>
                    <button type="button" className="secondary" onClick={() => void again(delivery)} disabled={redelivery.fetching} aria-label={`Redeliver ${delivery.eventType} delivery of ${formatShort(delivery.createdAt)}`}>
                      Redeliver
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {connection && (
        <Pager
          label="Deliveries"
          page={pages.page}
          hasPrevious={pages.hasPrevious}
          hasNext={connection.pageInfo.hasNextPage}
          onPrevious={pages.previous}
          onNext={() => pages.next(connection.pageInfo.endCursor)}
        />
      )}
    </section>
  );
}

function formatShort(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
