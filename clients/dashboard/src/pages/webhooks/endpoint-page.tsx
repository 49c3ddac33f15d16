import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useQuery } from 'urql';
import { DateTime } from '../../components/date-time';
import { useCustomerId } from '../../components/route-params';
import { Empty, ErrorNotice, Loading } from '../../components/states';
import { DashboardWebhookEndpointDocument } from '../../generated/graphql';
import { Deliveries } from './deliveries';
import { EndpointActions, OutcomeNotice, type Outcome } from './endpoint-actions';
import { EndpointStatus } from './endpoints-page';

/** One endpoint: what it is, its actions, and its deliveries with their attempts. */
export function WebhookEndpointPage() {
  const customerId = useCustomerId();
  const { endpointId = '' } = useParams();
  const navigate = useNavigate();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [refreshKey, setRefreshKey] = useState(0);
  const [result, refresh] = useQuery({ query: DashboardWebhookEndpointDocument, variables: { id: endpointId } });
  const list = `/c/${encodeURIComponent(customerId)}/webhooks`;
  // A platform-wide operator could reach another customer's endpoint under this customer's address: not here.
  const endpoint = result.data?.webhookEndpoint?.customerId === customerId ? result.data.webhookEndpoint : null;

  const onOutcome = (next: Outcome) => {
    if (next.kind === 'deleted') {
      void navigate(list, { state: { deleted: next.url } });
      return;
    }
    setOutcome(next);
  };
  const onChanged = () => {
    refresh({ requestPolicy: 'network-only' });
    setRefreshKey((k) => k + 1);
  };

  if (result.error) {
    return (
      <>
        <h1>Webhook endpoint</h1>
        <ErrorNotice error={result.error} extensions={result.extensions} />
      </>
    );
  }
  if (!result.data) return <Loading what="the endpoint" />;
  if (!endpoint) {
    return (
      <>
        <h1>Webhook endpoint</h1>
        <Empty>
          There is no such endpoint for this customer: it may have been deleted. <Link to={list}>Back to the endpoints</Link>.
        </Empty>
      </>
    );
  }
  return (
    <>
      <p className="breadcrumb">
        <Link to={list}>Webhooks</Link> / endpoint
      </p>
      <h1>Webhook endpoint</h1>
      <dl className="details">
        <dt>URL</dt>
        <dd>
          <code>{endpoint.url}</code>
        </dd>
        <dt>Description</dt>
        <dd>{endpoint.description ?? <span className="muted">—</span>}</dd>
        <dt>Events</dt>
        <dd>{endpoint.events.join(', ')}</dd>
        <dt>Status</dt>
        <dd>
          <EndpointStatus isDisabled={endpoint.isDisabled} disabledReason={endpoint.disabledReason} />
        </dd>
        <dt>Created</dt>
        <dd>
          <DateTime value={endpoint.createdAt} />
        </dd>
        <dt>Last changed</dt>
        <dd>
          <DateTime value={endpoint.updatedAt} />
        </dd>
        {endpoint.previousSecretExpiresAt && (
          <>
            <dt>Previous secret signs until</dt>
            <dd>
              <DateTime value={endpoint.previousSecretExpiresAt} />
            </dd>
          </>
        )}
      </dl>
      <h2>Actions</h2>
      <OutcomeNotice outcome={outcome} customerId={customerId} showDeliveriesLink={false} />
      <EndpointActions endpoint={endpoint} onOutcome={onOutcome} onChanged={onChanged} />
      <Deliveries endpointId={endpoint.id} refreshKey={refreshKey} />
    </>
  );
}
