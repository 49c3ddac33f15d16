import { useRef, useState } from 'react';
import { useMutation } from 'urql';
import { DateTime } from '../../components/date-time';
import { Empty, ErrorNotice, RoleNote } from '../../components/states';
import { DashboardRevokeConsentDecisionDocument, type DashboardProfileConsentDecisionFragment } from '../../generated/graphql';
import { useCan } from '../../session-context';

/**
 * The person's consent decisions (none while restricted), with "Revoke" for `consents:write`:
 * asked once more inline before it happens, since the user is then asked again at the next sign-in.
 */
export function ConsentDecisions({ profile, decisions, onChanged }: { profile: { isRestricted: boolean }; decisions: readonly DashboardProfileConsentDecisionFragment[]; onChanged: () => void }) {
  const can = useCan();
  const withPersonal = can('consents.personal');
  const mayRevoke = can('consents:write');
  const [confirming, setConfirming] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [state, revoke] = useMutation(DashboardRevokeConsentDecisionDocument);
  const heading = useRef<HTMLHeadingElement>(null);

  const confirm = async (decision: DashboardProfileConsentDecisionFragment) => {
    const result = await revoke({ id: decision.id });
    setConfirming(null);
    if (!result.error) {
      setDone(`The decision${decision.realm ? ` for ${decision.realm}` : ''} is revoked: the user is asked again at the next sign-in.`);
      onChanged();
    }
    heading.current?.focus();
  };

  return (
    <section aria-labelledby="profile-consents">
      <h2 id="profile-consents" ref={heading} tabIndex={-1}>
        Consent decisions
      </h2>
      {!withPersonal && <RoleNote>Your role does not include which sites a decision is for or the fields granted: they are left out.</RoleNote>}
      <p aria-live="polite" className={done ? 'notice-ok' : undefined}>{done}</p>
      <ErrorNotice error={state.error} extensions={state.extensions} />
      {decisions.length === 0 ? (
        <Empty>{profile.isRestricted ? 'Consent decisions are hidden while processing is restricted.' : 'This user has made no consent decisions.'}</Empty>
      ) : (
        <div className="table-wrap contained">
          <table>
            <caption className="visually-hidden">Consent decisions, newest first</caption>
            <thead>
              <tr>
                {withPersonal && <th scope="col">Site (realm)</th>}
                <th scope="col">Decision</th>
                {withPersonal && <th scope="col">Fields granted</th>}
                <th scope="col">Remembered</th>
                <th scope="col">Decided</th>
                <th scope="col">Revoked</th>
                {mayRevoke && <th scope="col"><span className="visually-hidden">Actions</span></th>}
              </tr>
            </thead>
            <tbody>
              {decisions.map((d) => (
                <tr key={d.id} data-decision={d.id}>
                  {withPersonal && <td>{d.realm ?? <span className="muted">—</span>}</td>}
                  <td>{d.decision === 'ALLOW' ? <span className="badge ok">Allowed</span> : <span className="badge bad">Denied</span>}</td>
                  {withPersonal && <td>{d.grantedFields?.length ? d.grantedFields.join(', ') : <span className="muted">none</span>}</td>}
                  <td>{d.isRemembered ? 'Yes' : 'No'}</td>
                  <td><DateTime value={d.decidedAt} /></td>
                  <td><DateTime value={d.revokedAt} /></td>
                  {mayRevoke && (
                    <td>
                      {d.revokedAt ? null : confirming === d.id ? (
                        <div role="group" aria-label="Confirm revocation" className="confirm-inline">
                          <span>Revoke it? The user is asked again next time.</span>
                          <button type="button" className="danger" disabled={state.fetching} onClick={() => void confirm(d)} autoFocus>
                            Confirm revoke
                          </button>
                          <button type="button" className="secondary" onClick={() => setConfirming(null)}>
                            Cancel
                          </button>
                        </div>
                      ) : (
                        <button type="button" className="secondary" onClick={() => { setDone(null); setConfirming(d.id); }} aria-label={`Revoke the decision${d.realm ? ` for ${d.realm}` : ''}`}>
                          Revoke
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
