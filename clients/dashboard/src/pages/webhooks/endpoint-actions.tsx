import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useMutation, type CombinedError } from 'urql';
import { describeError, type Problem } from '../../api/errors';
import { ShownOnce } from '../../components/shown-once';
import { ErrorNotice } from '../../components/states';
import {
  DashboardDeleteWebhookEndpointDocument,
  DashboardRotateWebhookSecretDocument,
  DashboardSendTestWebhookDocument,
  DashboardSetWebhookEndpointDisabledDocument,
  type DashboardWebhookEndpointFragment,
} from '../../generated/graphql';

/** What the last action on an endpoint came to, shown once above the list or the endpoint. */
export type Outcome =
  | { kind: 'secret'; url: string; secret: string }
  | { kind: 'tested'; url: string; endpointId: string }
  | { kind: 'toggled'; url: string; isDisabled: boolean }
  | { kind: 'deleted'; url: string }
  | { kind: 'problem'; problem: Problem };

/** The outcome in words; focus moves to it, so keyboard users hear what happened. */
export function OutcomeNotice({ outcome, customerId, showDeliveriesLink }: { outcome: Outcome | null; customerId: string; showDeliveriesLink: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (outcome) ref.current?.focus();
  }, [outcome]);
  if (!outcome) return null;
  return (
    <div ref={ref} tabIndex={-1} className="outcome" data-testid="webhook-outcome">
      {outcome.kind === 'secret' && (
        <>
          <p className="notice-ok">A new signing secret was issued for {outcome.url}. The previous one keeps signing for 24 hours.</p>
          <ShownOnce label="New signing secret" value={outcome.secret} />
        </>
      )}
      {outcome.kind === 'tested' && (
        <p className="notice-ok">
          A test event was queued for {outcome.url}.{' '}
          {showDeliveriesLink ? <Link to={`/c/${encodeURIComponent(customerId)}/webhooks/${encodeURIComponent(outcome.endpointId)}`}>See its deliveries</Link> : 'Its delivery is listed below.'}
        </p>
      )}
      {outcome.kind === 'toggled' && <p className="notice-ok">{outcome.url} is now {outcome.isDisabled ? 'disabled: it gets no new deliveries' : 'enabled'}.</p>}
      {outcome.kind === 'deleted' && <p className="notice-ok">{outcome.url} was deleted with its deliveries.</p>}
      {outcome.kind === 'problem' && <ErrorNotice problem={outcome.problem} />}
    </div>
  );
}

/**
 * The actions on one endpoint: send a test event, rotate its secret, disable or enable it, and
 * delete it after a confirmation. Each reports through `onOutcome`; `onChanged` refreshes the view.
 */
export function EndpointActions({ endpoint, onOutcome, onChanged }: { endpoint: DashboardWebhookEndpointFragment; onOutcome: (o: Outcome) => void; onChanged: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const [test, sendTest] = useMutation(DashboardSendTestWebhookDocument);
  const [rotation, rotate] = useMutation(DashboardRotateWebhookSecretDocument);
  const [toggle, setDisabled] = useMutation(DashboardSetWebhookEndpointDisabledDocument);
  const [deletion, remove] = useMutation(DashboardDeleteWebhookEndpointDocument);
  const busy = test.fetching || rotation.fetching || toggle.fetching || deletion.fetching;
  const label = endpoint.url;

  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  const failed = (error: CombinedError, extensions: Record<string, unknown> | undefined) => onOutcome({ kind: 'problem', problem: describeError(error, extensions) });

  const run = {
    test: async () => {
      const res = await sendTest({ endpointId: endpoint.id });
      if (res.error) return failed(res.error, res.extensions);
      if (res.data) onOutcome({ kind: 'tested', url: label, endpointId: endpoint.id });
      onChanged();
    },
    rotate: async () => {
      const res = await rotate({ id: endpoint.id });
      if (res.error) return failed(res.error, res.extensions);
      if (res.data) onOutcome({ kind: 'secret', url: label, secret: res.data.rotateWebhookSecret.signingSecret });
      onChanged();
    },
    toggle: async () => {
      const res = await setDisabled({ id: endpoint.id, disabled: !endpoint.isDisabled });
      if (res.error) return failed(res.error, res.extensions);
      if (res.data) onOutcome({ kind: 'toggled', url: label, isDisabled: res.data.setWebhookEndpointDisabled.isDisabled });
      onChanged();
    },
    remove: async () => {
      const res = await remove({ id: endpoint.id });
      setConfirming(false);
      if (res.error) return failed(res.error, res.extensions);
      onOutcome({ kind: 'deleted', url: label });
      onChanged();
    },
  };

  if (confirming) {
    return (
      <div className="confirm" role="group" aria-label={`Confirm deleting ${label}`}>
        <p>Delete {label} and all its deliveries? This cannot be undone.</p>
        <button ref={confirmRef} type="button" className="danger" onClick={() => void run.remove()} disabled={busy}>
          Delete for good
        </button>{' '}
        <button type="button" className="secondary" onClick={() => setConfirming(false)}>
          Keep it
        </button>
      </div>
    );
  }
  return (
    <div className="row-actions">
      <button type="button" className="secondary" onClick={() => void run.test()} disabled={busy || endpoint.isDisabled} aria-label={`Send test event to ${label}`}>
        Send test event
      </button>
      <button type="button" className="secondary" onClick={() => void run.rotate()} disabled={busy} aria-label={`Rotate secret of ${label}`}>
        Rotate secret
      </button>
      <button type="button" className="secondary" onClick={() => void run.toggle()} disabled={busy} aria-label={`${endpoint.isDisabled ? 'Enable' : 'Disable'} ${label}`}>
        {endpoint.isDisabled ? 'Enable' : 'Disable'}
      </button>
      <button type="button" className="danger" onClick={() => setConfirming(true)} disabled={busy} aria-label={`Delete ${label}`}>
        Delete
      </button>
    </div>
  );
}
