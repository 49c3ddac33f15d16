import { useState } from 'react';
import { Link, useLocation } from 'react-router';
import { useQuery } from 'urql';
import { DateTime } from '../../components/date-time';
import { Pager, useCursorPages } from '../../components/pagination';
import { useCustomerId } from '../../components/route-params';
import { Empty, ErrorNotice, Loading } from '../../components/states';
import { DashboardWebhookEndpointsDocument } from '../../generated/graphql';
import { CreateEndpoint } from './create-endpoint';
import { EndpointActions, OutcomeNotice, type Outcome } from './endpoint-actions';

const PAGE_SIZE = 20;

/** Enabled, or disabled with the reason (by an operator, or by the receiver answering 410). */
export function EndpointStatus({ isDisabled, disabledReason }: { isDisabled: boolean; disabledReason: string | null | undefined }) {
  if (!isDisabled) return <span className="badge ok">Enabled</span>;
  return (
    <>
      <span className="badge bad">Disabled</span>
      {disabledReason && <span className="muted"> ({disabledReason})</span>}
    </>
  );
}

/** A customer's webhook endpoints (oldest first), their actions, and the form to add one. */
export function WebhooksPage() {
  const customerId = useCustomerId();
  const location = useLocation();
  const deletedFromDetail = (location.state as { deleted?: string } | null)?.deleted;
  const [outcome, setOutcome] = useState<Outcome | null>(deletedFromDetail ? { kind: 'deleted', url: deletedFromDetail } : null);
  const pages = useCursorPages();
  const [result, refresh] = useQuery({ query: DashboardWebhookEndpointsDocument, variables: { customerId, first: PAGE_SIZE, after: pages.after } });
  const reload = () => refresh({ requestPolicy: 'network-only' });
  const connection = result.data?.webhookEndpoints;
  const base = `/c/${encodeURIComponent(customerId)}/webhooks`;

  return (
    <>
      <h1>Webhooks</h1>
      <p className="muted">Endpoints receive signed events as they happen. Open an endpoint to see its deliveries and redeliver them.</p>
      <OutcomeNotice outcome={outcome} customerId={customerId} showDeliveriesLink />
      <h2>Endpoints</h2>
      {result.error && <ErrorNotice error={result.error} extensions={result.extensions} />}
      {!connection && result.fetching && <Loading what="webhook endpoints" />}
      {connection && connection.nodes.length === 0 && <Empty>No endpoints yet. Add one below to start receiving events.</Empty>}
      {connection && connection.nodes.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption>Webhook endpoints, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Events</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {connection.nodes.map((endpoint) => (
                <tr key={endpoint.id}>
                  <td>
                    <Link to={`${base}/${encodeURIComponent(endpoint.id)}`}>{endpoint.url}</Link>
                    {endpoint.description && <div className="muted">{endpoint.description}</div>}
                  </td>
                  <td>
                    <ul className="plain">
                      {endpoint.events.map((event) => (
                        <li key={event}>
                          <code className="nowrap">{event}</code>
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    <EndpointStatus isDisabled={endpoint.isDisabled} disabledReason={endpoint.disabledReason} />
                  </td>
                  <td>
                    <DateTime value={endpoint.createdAt} />
                  </td>
                  <td>
                    <EndpointActions endpoint={endpoint} onOutcome={setOutcome} onChanged={reload} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {connection && (
        <Pager
          label="Webhook endpoints"
          page={pages.page}
          hasPrevious={pages.hasPrevious}
          hasNext={connection.pageInfo.hasNextPage}
          onPrevious={pages.previous}
          onNext={() => pages.next(connection.pageInfo.endCursor)}
        />
      )}
      <CreateEndpoint customerId={customerId} onCreated={reload} />
    </>
  );
}
