import { useState } from 'react';
import { useClient } from 'urql';
import type { Problem } from '../../api/errors';
import { describeError } from '../../api/errors';
import { ErrorNotice } from '../../components/states';
import { DashboardVerifyAuditChainDocument, type DashboardVerifyAuditChainQuery } from '../../generated/graphql';

type Verification = DashboardVerifyAuditChainQuery['verifyAuditChain'];

const REASONS: Record<string, string> = {
  digest: 'the event was altered after it was chained',
  previous: 'a link before it was removed or replaced',
  sequence: 'events were removed or reordered',
  payload: 'its personal values were altered',
};

/** The verification's answer in words: how much verified, or where and why it breaks. */
export function describeVerification(result: Verification): string {
  if (result.ok) return `The audit chain verifies: ${result.eventsChecked} event${result.eventsChecked === 1 ? '' : 's'} checked, none altered, removed or reordered.`;
  const reason = result.reason ? (REASONS[result.reason] ?? result.reason) : 'no reason was given';
  const where = result.brokenSeq != null ? `event #${result.brokenSeq}` : 'an event';
  return `The audit chain is broken at ${where}${result.brokenEventId ? ` (${result.brokenEventId})` : ''}: ${reason}. ${result.eventsChecked} event${result.eventsChecked === 1 ? '' : 's'} verified before it.`;
}

/** "Verify chain": recomputes the customer's chain on the service and shows the answer. */
export function VerifyChain({ customerId }: { customerId: string }) {
  const client = useClient();
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<Verification | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  const verify = async () => {
    setRunning(true);
    setProblem(null);
    setResult(null);
    const res = await client.query(DashboardVerifyAuditChainDocument, { customerId }, { requestPolicy: 'network-only' }).toPromise();
    setRunning(false);
    if (res.error) setProblem(describeError(res.error, res.extensions));
    else if (res.data) setResult(res.data.verifyAuditChain);
  };

  return (
    <section aria-labelledby="verify-chain-heading" className="verify-chain">
      <h2 id="verify-chain-heading">Chain integrity</h2>
      <p className="muted">Recomputes every link of this customer&apos;s tamper-evident audit chain from its first event.</p>
      <button type="button" onClick={() => void verify()} disabled={running}>
        {running ? 'Verifying…' : 'Verify chain'}
      </button>
      <div aria-live="polite" data-testid="chain-result">
        {result && <p className={result.ok ? 'notice-ok' : 'state state-error'}>{describeVerification(result)}</p>}
      </div>
      {problem && <ErrorNotice problem={problem} />}
    </section>
  );
}
