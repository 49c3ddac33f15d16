import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { Loading, ErrorNotice, RoleNote } from '../../components/states';
import { useCustomerId } from '../../components/route-params';
import { DashboardConsentStatsDocument, DashboardSignInStatsDocument, type StatsRange } from '../../generated/graphql';
import { useCan, useOperator } from '../../session-context';
import { ConsentChart } from './consent-chart';
import { RangeSwitch, RANGES } from './range-switch';
import { percent } from './series';
import { SignInChart } from './sign-in-chart';

/**
 * A customer's overview: headline numbers and the two charts (issue 21, item 5) over the last
 * 24 hours or 7 days. The consent chart needs `consents:read`; without it a note says so and the
 * API is not asked.
 */
export function OverviewPage() {
  const customerId = useCustomerId();
  const can = useCan();
  const operator = useOperator();
  const [range, setRange] = useState<StatsRange>('LAST_24_HOURS');
  const period = RANGES.find((r) => r.value === range)!.period;
  const withConsents = can('consents:read');
  const [signIns] = useQuery({ query: DashboardSignInStatsDocument, variables: { customerId, range } });
  const [consents] = useQuery({ query: DashboardConsentStatsDocument, variables: { customerId, range }, pause: !withConsents });
  const buckets = signIns.data?.signInStats.buckets ?? [];
  const total = buckets.reduce((sum, b) => sum + b.total, 0);
  const succeeded = buckets.reduce((sum, b) => sum + b.succeeded, 0);
  const open = buckets.reduce((sum, b) => sum + b.inProgress, 0);
  const consent = consents.data?.consentStats;

  return (
    <>
      <h1>Overview</h1>
      <RangeSwitch value={range} onChange={setRange} />
      {signIns.error && <ErrorNotice error={signIns.error} extensions={signIns.extensions} />}
      {!signIns.data && signIns.fetching && <Loading what="sign-in counts" />}
      {signIns.data && (
        <>
          <dl className="headlines">
            <div>
              <dt>Sign-ins</dt>
              <dd data-testid="headline-total">{total}</dd>
            </div>
            <div>
              <dt>Success rate</dt>
              <dd data-testid="headline-success-rate">{percent(succeeded, total - open)}</dd>
            </div>
            <div>
              <dt>In progress</dt>
              <dd>{open}</dd>
            </div>
            {consent && (
              <div>
                <dt>Consent approved</dt>
                <dd>{percent(consent.approved, consent.approved + consent.denied)}</dd>
              </div>
            )}
          </dl>
          <p className="muted">
            Success rate: sign-ins that ended with an identity, of those that ended. <Link to={`/c/${encodeURIComponent(customerId)}/sign-ins`}>See the sign-ins</Link>.
          </p>
          <section aria-labelledby="sign-ins-chart-heading">
            <h2 id="sign-ins-chart-heading">Sign-ins per hour</h2>
            {total === 0 && <p className="state state-empty">No sign-ins in {period}.</p>}
            <SignInChart buckets={buckets} range={range} />
          </section>
        </>
      )}
      <section aria-labelledby="consent-chart-heading">
        <h2 id="consent-chart-heading">Consent: approved and denied</h2>
        {!withConsents && <RoleNote>Your role ({operator.role}) does not include consent decisions, so their chart is left out.</RoleNote>}
        {consents.error && <ErrorNotice error={consents.error} extensions={consents.extensions} />}
        {withConsents && !consent && consents.fetching && <Loading what="consent counts" />}
        {consent && <ConsentChart stats={consent} period={period} />}
      </section>
    </>
  );
}
