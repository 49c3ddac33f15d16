import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { DateTime, formatDateTime } from '../../components/date-time';
import { Pager, useCursorPages } from '../../components/pagination';
import { useCustomerId } from '../../components/route-params';
import { Empty, ErrorNotice, Loading } from '../../components/states';
import { DashboardAuthRequestsDocument } from '../../generated/graphql';
import { useCan, useOperator } from '../../session-context';
import { apiFilter, FILTER_KEYS, FilterForm, filtersFrom, type Filters } from './filters';
import { useLiveRefresh } from './live';
import { badgeOf, outcomeWords, reasonWords, STATUS_WORDS } from './words';

const PAGE_SIZE = 20;

/**
 * A customer's sign-ins, newest first, filtered and paged, refreshed every ten seconds while the
 * tab is visible (with a pause). Who and where need `requests.personal`: without it the columns
 * and filters are left out and the API is never asked for them.
 */
export function SignInsPage() {
  const customerId = useCustomerId();
  const operator = useOperator();
  const withPersonal = useCan()('requests.personal');
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFrom(params), [params]);
  const pages = useCursorPages();
  const [paused, setPaused] = useState(false);
  const [updatedAt, setUpdatedAt] = useState<string | null>(null);
  const filter = useMemo(() => apiFilter(customerId, filters, withPersonal), [customerId, filters, withPersonal]);
  const [result, reexecute] = useQuery({
    query: DashboardAuthRequestsDocument,
    variables: { filter, first: PAGE_SIZE, after: pages.after, withPersonal },
  });
  const refresh = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useLiveRefresh(refresh, paused);
  useEffect(() => {
    if (result.data && !result.fetching && !result.stale && !result.error) setUpdatedAt(new Date().toISOString());
  }, [result.data, result.fetching, result.stale, result.error]);

  const apply = (next: Filters) => {
    const search = new URLSearchParams();
    for (const key of FILTER_KEYS) if (next[key]) search.set(key, next[key]);
    pages.reset();
    setParams(search);
  };
  const rows = result.data?.authRequests.nodes ?? [];
  const base = `/c/${encodeURIComponent(customerId)}/sign-ins`;

  return (
    <>
      <h1>Sign-ins</h1>
      <FilterForm key={params.toString()} value={filters} withPersonal={withPersonal} role={operator.role} onApply={apply} />
      <div className="live-bar">
        <p aria-live="off" data-testid="updated-at">
          {updatedAt ? <>Updated at {formatDateTime(updatedAt)}</> : 'Not loaded yet'}
          {paused ? ' · paused' : ' · refreshes every 10 s'}
        </p>
        <button type="button" className="secondary" aria-pressed={paused} onClick={() => setPaused((p) => !p)}>
          {paused ? 'Resume live updates' : 'Pause live updates'}
        </button>
      </div>
      {result.error && <ErrorNotice error={result.error} extensions={result.extensions} />}
      {!result.data && result.fetching && <Loading what="sign-ins" />}
      {result.data && rows.length === 0 && <Empty>No sign-ins match these filters.</Empty>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="sign-ins-table">
            <caption className="visually-hidden">Sign-ins, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Status</th>
                <th scope="col">Outcome</th>
                <th scope="col">Protocol</th>
                {withPersonal && <th scope="col">Username</th>}
                {withPersonal && <th scope="col">Realm</th>}
                <th scope="col">Failure reason</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id} data-id={row.id}>
                  <td>
                    <Link to={`${base}/${encodeURIComponent(row.id)}`} aria-label={`Sign-in started ${formatDateTime(row.createdAt)}`}>
                      <DateTime value={row.createdAt} />
                    </Link>
                  </td>
                  <td>
                    <span className={`badge ${badgeOf(row.status, row.outcome)}`}>{STATUS_WORDS[row.status]}</span>
                  </td>
                  <td>{row.outcome ? outcomeWords(row.outcome) : <span className="muted">—</span>}</td>
                  <td>{row.protocol === 'OIDC' ? 'OpenID Connect' : row.protocol === 'ACCOUNT' ? 'Privacy center' : `OpenID 2.0 (${row.mode})`}</td>
                  {withPersonal && <td>{row.username ?? <span className="muted">—</span>}</td>}
                  {withPersonal && <td>{row.realm ?? <span className="muted">—</span>}</td>}
                  <td>{reasonWords(row.failureReason) ?? <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        label="Sign-ins"
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        hasNext={result.data?.authRequests.pageInfo.hasNextPage ?? false}
        onPrevious={pages.previous}
        onNext={() => pages.next(result.data?.authRequests.pageInfo.endCursor)}
      />
    </>
  );
}
