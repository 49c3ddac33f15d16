import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { DateTime } from '../../components/date-time';
import { Pager, useCursorPages } from '../../components/pagination';
import { useCustomerId } from '../../components/route-params';
import { Empty, ErrorNotice, Loading, RoleNote } from '../../components/states';
import { DashboardProfilesDocument, type ProfileFilter } from '../../generated/graphql';
import { useCan } from '../../session-context';

const PAGE_SIZE = 20;

type SearchBy = 'username' | 'email';

/** What a profile is called in a list or heading: its username, or its id while restricted (the username reads null then). */
export function profileName(profile: { id: string; username?: string | null | undefined }): string {
  return profile.username ?? `Restricted profile ${profile.id.slice(0, 8)}`;
}

/**
 * `/c/:customerId/profiles`: the customer's profiles, oldest first, a page at a time, searched by
 * exact username or exact email (the API matches keyed hashes, so there is no partial match).
 */
export function ProfilesPage() {
  const customerId = useCustomerId();
  const can = useCan();
  const withEmail = can('profile.email');
  const ids = { by: useId(), value: useId() };
  const [by, setBy] = useState<SearchBy>('username');
  const [value, setValue] = useState('');
  const [search, setSearch] = useState<{ by: SearchBy; value: string } | null>(null);
  const pages = useCursorPages();

  const filter: ProfileFilter = { customerId };
  if (search) filter[search.by] = search.value;
  const [result] = useQuery({ query: DashboardProfilesDocument, variables: { filter, first: PAGE_SIZE, after: pages.after, withEmail } });
  const connection = result.data?.profiles;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = value.trim();
    setSearch(trimmed ? { by, value: trimmed } : null);
    pages.reset();
  };
  const clear = () => {
    setValue('');
    setSearch(null);
    pages.reset();
  };

  return (
    <>
      <h1>Profiles</h1>
      <form className="filters" role="search" aria-label="Profiles" onSubmit={submit}>
        <div>
          <label htmlFor={ids.by}>Search by</label>
          <select id={ids.by} value={by} onChange={(e) => setBy(e.target.value as SearchBy)}>
            <option value="username">Username</option>
            {withEmail && <option value="email">Email</option>}
          </select>
        </div>
        <div>
          <label htmlFor={ids.value}>{by === 'email' ? 'Email' : 'Username'} (exact match)</label>
          <input id={ids.value} type={by === 'email' ? 'email' : 'text'} value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" spellCheck={false} />
        </div>
        <button type="submit">Search</button>
        {search && (
          <button type="button" className="secondary" onClick={clear}>
            Show all
          </button>
        )}
      </form>
      <p className="muted">Search matches the whole username or email exactly (they are stored as keyed hashes), not a part of it.</p>
      {!withEmail && <RoleNote>Your role does not include profile emails: they are left out.</RoleNote>}
      <ErrorNotice error={result.error} extensions={result.extensions} />
      {result.fetching && !connection && <Loading what="profiles" />}
      {connection && connection.nodes.length === 0 && (
        <Empty>{search ? `No profile has exactly this ${search.by}.` : 'No profiles yet: they are recorded when users sign in.'}</Empty>
      )}
      {connection && connection.nodes.length > 0 && (
        <div className="table-wrap contained">
          <table>
            <caption className="visually-hidden">Profiles{search ? `, ${search.by} ${search.value}` : ''}</caption>
            <thead>
              <tr>
                <th scope="col">Username</th>
                {withEmail && <th scope="col">Email</th>}
                <th scope="col">Processing</th>
                <th scope="col">Last seen</th>
                <th scope="col">Last changed</th>
              </tr>
            </thead>
            <tbody>
              {connection.nodes.map((profile) => (
                <tr key={profile.id}>
                  <td>
                    <Link to={`/c/${encodeURIComponent(customerId)}/profiles/${encodeURIComponent(profile.id)}`}>{profileName(profile)}</Link>
                  </td>
                  {withEmail && <td>{profile.email ?? <span className="muted">—</span>}</td>}
                  <td>{profile.isRestricted ? <span className="badge warn">Restricted</span> : <span className="badge ok">Normal</span>}</td>
                  <td>
                    <DateTime value={profile.lastSeenAt} />
                  </td>
                  <td>
                    <DateTime value={profile.updatedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {connection && (pages.hasPrevious || connection.pageInfo.hasNextPage) && (
        <Pager
          label="Profiles"
          page={pages.page}
          hasPrevious={pages.hasPrevious}
          hasNext={connection.pageInfo.hasNextPage}
          onPrevious={pages.previous}
          onNext={() => pages.next(connection.pageInfo.endCursor)}
        />
      )}
    </>
  );
}
