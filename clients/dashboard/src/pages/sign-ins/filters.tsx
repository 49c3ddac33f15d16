import { useId, useState, type FormEvent } from 'react';
import type { AuthRequestFilter, AuthRequestStatus } from '../../generated/graphql';
import { RoleNote } from '../../components/states';
import { OUTCOME_WORDS, OUTCOMES, STATUS_WORDS, STATUSES } from './words';

/** The list's filters as the address keeps them (`?status=…&outcome=…`), so Back and a shared link keep them. */
export interface Filters {
  status: string;
  outcome: string;
  username: string;
  realm: string;
  /** `datetime-local` values: the viewer's wall-clock time. */
  from: string;
  to: string;
}

export const FILTER_KEYS = ['status', 'outcome', 'username', 'realm', 'from', 'to'] as const;

export function filtersFrom(params: URLSearchParams): Filters {
  const get = (key: string) => params.get(key) ?? '';
  return { status: get('status'), outcome: get('outcome'), username: get('username'), realm: get('realm'), from: get('from'), to: get('to') };
}

/** A local wall-clock time as the instant the API compares with; null when empty or not a time. */
function instant(local: string): string | null {
  if (!local) return null;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The API's filter: only what the role may filter by (username and realm need `requests.personal`). */
export function apiFilter(customerId: string, filters: Filters, withPersonal: boolean): AuthRequestFilter {
  const filter: AuthRequestFilter = { customerId };
  if ((STATUSES as string[]).includes(filters.status)) filter.status = filters.status as AuthRequestStatus;
  if (OUTCOMES.includes(filters.outcome)) filter.outcome = filters.outcome;
  if (withPersonal && filters.username.trim()) filter.username = filters.username.trim();
  if (withPersonal && filters.realm.trim()) filter.realm = filters.realm.trim();
  const from = instant(filters.from);
  const to = instant(filters.to);
  if (from) filter.from = from;
  if (to) filter.to = to;
  return filter;
}

/**
 * The filter form. It applies on submit (Enter or the button), not on each keystroke; a time
 * range that ends before it starts is refused here in words, as the API would refuse it.
 */
export function FilterForm({ value, withPersonal, role, onApply }: { value: Filters; withPersonal: boolean; role: string; onApply: (filters: Filters) => void }) {
  const id = useId();
  const [draft, setDraft] = useState<Filters>(value);
  const [problem, setProblem] = useState<string | null>(null);
  const set = (key: keyof Filters) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const from = instant(draft.from);
    const to = instant(draft.to);
    if (from && to && from > to) {
      setProblem('"To" must not be before "From".');
      return;
    }
    setProblem(null);
    onApply(draft);
  };
  const clear = () => {
    const empty: Filters = { status: '', outcome: '', username: '', realm: '', from: '', to: '' };
    setDraft(empty);
    setProblem(null);
    onApply(empty);
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Filter sign-ins">
      <div>
        <label htmlFor={`${id}-status`}>Status</label>
        <select id={`${id}-status`} value={draft.status} onChange={set('status')}>
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_WORDS[s]}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor={`${id}-outcome`}>Outcome</label>
        <select id={`${id}-outcome`} value={draft.outcome} onChange={set('outcome')}>
          <option value="">Any outcome</option>
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {OUTCOME_WORDS[o]} ({o})
            </option>
          ))}
        </select>
      </div>
      {withPersonal && (
        <>
          <div>
            <label htmlFor={`${id}-username`}>Username (exact)</label>
            <input id={`${id}-username`} value={draft.username} onChange={set('username')} autoComplete="off" maxLength={255} />
          </div>
          <div>
            <label htmlFor={`${id}-realm`}>Realm (exact)</label>
            <input id={`${id}-realm`} value={draft.realm} onChange={set('realm')} autoComplete="off" maxLength={2048} placeholder="https://rp.example/" />
          </div>
        </>
      )}
      <div>
        <label htmlFor={`${id}-from`}>From</label>
        <input id={`${id}-from`} type="datetime-local" value={draft.from} onChange={set('from')} />
      </div>
      <div>
        <label htmlFor={`${id}-to`}>To</label>
        <input id={`${id}-to`} type="datetime-local" value={draft.to} onChange={set('to')} />
      </div>
      <div className="filter-actions">
        <button type="submit">Apply filters</button>
        <button type="button" className="secondary" onClick={clear}>
          Clear
        </button>
      </div>
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      {!withPersonal && (
        <RoleNote>Your role ({role}) does not include who signed in where: usernames and realms are left out, and you cannot filter by them.</RoleNote>
      )}
    </form>
  );
}
