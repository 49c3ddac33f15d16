import { useRef, useState } from 'react';
import { useMutation } from 'urql';
import { DateTime } from '../../components/date-time';
import { ShownOnce } from '../../components/shown-once';
import { ErrorNotice } from '../../components/states';
import { DashboardRotateCustomerApiKeyDocument, type DashboardCustomerSettingsFragment } from '../../generated/graphql';
import { Confirm } from './confirm';

/**
 * API key rotation (`customers:write`): behind a confirmation; the new key is shown once, and the
 * time the replaced key stops working is given, so the AW's operator knows how long they have.
 */
export function RotateApiKey({ customer }: { customer: DashboardCustomerSettingsFragment }) {
  const [asking, setAsking] = useState(false);
  const [rotation, rotate] = useMutation(DashboardRotateCustomerApiKeyDocument);
  const [shown, setShown] = useState<{ apiKey: string; previousKeysExpireAt: string } | null>(null);
  const startButton = useRef<HTMLButtonElement>(null);
  const resultRef = useRef<HTMLDivElement>(null);

  const confirm = async () => {
    const result = await rotate({ id: customer.id });
    setAsking(false);
    const payload = result.data?.rotateCustomerApiKey;
    if (payload) {
      setShown({ apiKey: payload.apiKey, previousKeysExpireAt: payload.previousKeysExpireAt });
      requestAnimationFrame(() => resultRef.current?.focus());
    } else {
      requestAnimationFrame(() => startButton.current?.focus());
    }
  };

  return (
    <section aria-labelledby="api-key-heading">
      <h2 id="api-key-heading">API key</h2>
      <p>
        The AW authenticates its postbacks with this customer's API key. We keep only a hash of it, so a lost key cannot be shown again: rotate it to
        get a new one. The replaced key keeps working for a grace period, so the AW can switch to the new key without failed postbacks.
      </p>
      {rotation.error && <ErrorNotice error={rotation.error} extensions={rotation.extensions} />}
      {shown && (
        <div className="stack" tabIndex={-1} ref={resultRef} aria-label="New API key">
          <ShownOnce label="New API key" value={shown.apiKey} />
          <p className="notice-ok" data-testid="grace-period">
            The previous key keeps working until <DateTime value={shown.previousKeysExpireAt} />; after that only the new key is accepted.
          </p>
        </div>
      )}
      {asking ? (
        <Confirm confirmLabel="Rotate the API key" onConfirm={() => void confirm()} onCancel={() => {
            setAsking(false);
            requestAnimationFrame(() => startButton.current?.focus());
          }} busy={rotation.fetching}>
          <p>
            Rotate the API key of <strong>{customer.name}</strong>? A new key is shown once. The current key keeps working until its grace period
            ends; then postbacks with it are refused.
          </p>
        </Confirm>
      ) : (
        <p>
          <button type="button" ref={startButton} onClick={() => setAsking(true)}>
            Rotate API key…
          </button>
        </p>
      )}
    </section>
  );
}
