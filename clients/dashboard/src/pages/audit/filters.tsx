import { useId, useState, type FormEvent } from 'react';

/** What the operator asked for; empty strings mean "any". Times are the viewer's local wall clock. */
export interface AuditFilterValues {
  action: string;
  actor: string;
  subject: string;
  from: string;
  to: string;
}

export const NO_FILTERS: AuditFilterValues = { action: '', actor: '', subject: '', from: '', to: '' };

/** A `datetime-local` value (the viewer's zone) as an ISO instant, or null when empty or not a time. */
export function localToIso(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Why these filters cannot be asked for, in words; null when they can. */
export function filterProblem(values: AuditFilterValues): string | null {
  const from = localToIso(values.from);
  const to = localToIso(values.to);
  if (values.from && !from) return 'The "From" time is not a valid date and time.';
  if (values.to && !to) return 'The "To" time is not a valid date and time.';
  if (from && to && from >= to) return '"From" must be before "To".';
  return null;
}

/**
 * The audit filters: action, actor, time window and (for roles with `audit.personal`) the person
 * an event is about. Applied on submit, so typing does not fire a query per key.
 */
export function AuditFilters({ withSubject, onApply }: { withSubject: boolean; onApply: (values: AuditFilterValues) => void }) {
  const id = useId();
  const [values, setValues] = useState<AuditFilterValues>(NO_FILTERS);
  const [problem, setProblem] = useState<string | null>(null);
  const set = (key: keyof AuditFilterValues) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const trimmed = { ...values, action: values.action.trim(), actor: values.actor.trim(), subject: values.subject.trim() };
    const why = filterProblem(trimmed);
    setProblem(why);
    if (!why) onApply(trimmed);
  };
  const clear = () => {
    setValues(NO_FILTERS);
    setProblem(null);
    onApply(NO_FILTERS);
  };

  return (
    <form className="filters" onSubmit={submit} aria-label="Audit event filters" noValidate>
      <div>
        <label htmlFor={`${id}-action`}>Action</label>
        <input id={`${id}-action`} value={values.action} onChange={set('action')} placeholder="profile.updated" maxLength={200} />
      </div>
      <div>
        <label htmlFor={`${id}-actor`}>Actor id</label>
        <input id={`${id}-actor`} value={values.actor} onChange={set('actor')} maxLength={200} />
      </div>
      {withSubject && (
        <div>
          <label htmlFor={`${id}-subject`}>Subject (username)</label>
          <input id={`${id}-subject`} value={values.subject} onChange={set('subject')} maxLength={200} />
        </div>
      )}
      <div>
        <label htmlFor={`${id}-from`}>From</label>
        <input id={`${id}-from`} type="datetime-local" value={values.from} onChange={set('from')} aria-invalid={problem !== null && problem.includes('From')} aria-describedby={problem ? `${id}-problem` : undefined} />
      </div>
      <div>
        <label htmlFor={`${id}-to`}>To</label>
        <input id={`${id}-to`} type="datetime-local" value={values.to} onChange={set('to')} aria-invalid={problem !== null && problem.includes('To')} aria-describedby={problem ? `${id}-problem` : undefined} />
      </div>
      <div className="filter-buttons">
        <button type="submit">Apply filters</button>
        <button type="button" className="secondary" onClick={clear}>
          Clear
        </button>
      </div>
      {problem && (
        <p id={`${id}-problem`} className="field-error" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}
