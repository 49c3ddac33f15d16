import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { DateTime } from '../../components/date-time';
import { useCustomerId } from '../../components/route-params';
import { Empty, ErrorNotice, Loading, RoleNote } from '../../components/states';
import { DashboardAuthRequestDocument } from '../../generated/graphql';
import { useCan, useOperator } from '../../session-context';
import { badgeOf, eventWords, outcomeWords, reasonWords, STATUS_WORDS } from './words';

const list = (fields: readonly string[] | null | undefined) => (fields && fields.length > 0 ? fields.join(', ') : 'none');

/**
 * One sign-in: where it stands, what the site asked for and got, why it failed when it did, and
 * its timeline. Who and where need `requests.personal`, as on the list.
 */
export function SignInDetailPage() {
  const customerId = useCustomerId();
  const { authRequestId = '' } = useParams();
  const operator = useOperator();
  const withPersonal = useCan()('requests.personal');
  const [result] = useQuery({ query: DashboardAuthRequestDocument, variables: { id: authRequestId, withPersonal } });
  const request = result.data?.authRequest;
  const back = <Link to={`/c/${encodeURIComponent(customerId)}/sign-ins`}>Back to the sign-ins</Link>;
  // Another customer's request reads as a missing one, as the API answers it.
  const shown = request && request.customerId === customerId ? request : null;

  let state: React.ReactNode = null;
  if (result.error) state = <ErrorNotice error={result.error} extensions={result.extensions} />;
  else if (!result.data) state = <Loading what="the sign-in" />;
  else if (!shown) state = <Empty>There is no such sign-in for this customer: it may have been purged, or belong to another customer.</Empty>;
  if (state || !shown) {
    return (
      <>
        <h1>Sign-in</h1>
        {state}
        <p>{back}</p>
      </>
    );
  }

  const reason = reasonWords(shown.failureReason);
  return (
    <>
      <h1>Sign-in</h1>
      <p>{back}</p>
      {reason && (
        <p className="state state-failure" data-testid="failure-reason">
          <strong>Why it failed:</strong> {reason}
        </p>
      )}
      <dl className="details">
        <dt>Status</dt>
        <dd>
          <span className={`badge ${badgeOf(shown.status, shown.outcome)}`}>{STATUS_WORDS[shown.status]}</span>
        </dd>
        <dt>Outcome</dt>
        <dd>{outcomeWords(shown.outcome)}</dd>
        <dt>Protocol</dt>
        <dd>{shown.protocol === 'OIDC' ? `OpenID Connect (client ${shown.clientId ?? 'unknown'})` : shown.protocol === 'ACCOUNT' ? 'Privacy center sign-in (no relying party)' : `OpenID 2.0, ${shown.mode}`}</dd>
        {withPersonal && (
          <>
            <dt>Username</dt>
            <dd>{shown.username ?? <span className="muted">none (no user yet, or restricted)</span>}</dd>
            <dt>Realm</dt>
            <dd>{shown.realm ?? <span className="muted">withheld (restricted user)</span>}</dd>
            <dt>Return URL</dt>
            <dd>{shown.returnTo ?? <span className="muted">withheld (restricted user)</span>}</dd>
          </>
        )}
        <dt>Return URL check</dt>
        <dd>
          {shown.returnToVerification ?? 'not recorded'}
          {shown.returnToVerificationReason ? ` (${shown.returnToVerificationReason})` : ''}
        </dd>
        <dt>Fields requested</dt>
        <dd>{list(shown.requestedFields)}</dd>
        <dt>Of those, required</dt>
        <dd>{list(shown.requiredFields)}</dd>
        {withPersonal && (
          <>
            <dt>Fields released</dt>
            <dd>{shown.releasedFields ? list(shown.releasedFields) : <span className="muted">withheld (restricted user)</span>}</dd>
          </>
        )}
        <dt>Started</dt>
        <dd>
          <DateTime value={shown.createdAt} />
        </dd>
        <dt>Expires</dt>
        <dd>
          <DateTime value={shown.expiresAt} />
        </dd>
      </dl>
      {!withPersonal && (
        <RoleNote>Your role ({operator.role}) does not include who signed in where: the username, realm, return URL and released fields are left out.</RoleNote>
      )}
      <h2 id="timeline-heading">Timeline</h2>
      {shown.timeline.length === 0 ? (
        <Empty>No steps recorded.</Empty>
      ) : (
        <div className="table-wrap">
          <table aria-labelledby="timeline-heading" data-testid="timeline">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Step</th>
                <th scope="col">State</th>
                <th scope="col">At</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {shown.timeline.map((step, i) => (
                <tr key={`${step.at}-${i}`}>
                  <td>{i + 1}</td>
                  <td>
                    {eventWords(step.event)} <span className="muted">({step.event})</span>
                  </td>
                  <td>
                    {step.fromStatus ? STATUS_WORDS[step.fromStatus] : 'New'} → {STATUS_WORDS[step.toStatus]}
                  </td>
                  <td>
                    <DateTime value={step.at} />
                  </td>
                  <td>{reasonWords(step.reason) ?? <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
