import { useId, useRef, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { describeError, type Problem } from '../../api/errors';
import { ErrorNotice } from '../../components/states';
import { DashboardCreateOperatorTokenDocument, type OperatorRole } from '../../generated/graphql';
import { useOperator } from '../../session-context';

export const ROLE_WORDS: Record<OperatorRole, string> = {
  OWNER: 'Owner: everything, including operator tokens',
  ADMIN: 'Admin: configuration, profiles, deletion, audit, webhooks',
  SUPPORT: 'Support: reads customers, sign-ins, consents and profiles; rectifies profiles',
  AUDITOR: 'Auditor: sign-ins and audit, no personal fields',
  VIEWER: 'Viewer: configuration and sign-in counts only',
};

const PLATFORM = '';

/**
 * Creates an operator token: name, role, optional lifetime, and (for a platform-wide owner) the
 * customer it is bound to. A customer-bound owner creates tokens for its own customer only.
 */
export function CreateTokenForm({ customers, onCreated }: { customers: Array<{ id: string; name: string; slug: string }>; onCreated: (name: string, token: string) => void }) {
  const operator = useOperator();
  const ids = { name: useId(), role: useId(), expiresInDays: useId(), customerId: useId() };
  const [name, setName] = useState('');
  const [role, setRole] = useState<OperatorRole>('VIEWER');
  const [days, setDays] = useState('90');
  const [customerId, setCustomerId] = useState(operator.customerId ?? PLATFORM);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [creation, create] = useMutation(DashboardCreateOperatorTokenDocument);
  const formRef = useRef<HTMLFormElement>(null);
  const own = operator.customerId === null ? null : customers.find((c) => c.id === operator.customerId);

  const fail = (described: Problem) => {
    setProblem(described);
    const field = Object.keys(described.fields)[0];
    if (field) requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>(`[data-field="${field}"]`)?.focus());
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === '') return fail({ message: 'Give the token a name (who or what uses it).', code: null, requestId: null, fields: { name: 'Give the token a name (who or what uses it).' } });
    const daysText = days.trim();
    if (daysText !== '' && !/^\d+$/.test(daysText)) {
      const message = 'Enter a whole number of days (1-3650), or leave it empty for a token that does not expire.';
      return fail({ message, code: null, requestId: null, fields: { expiresInDays: message } });
    }
    setProblem(null);
    const result = await create({
      input: {
        name: name.trim(),
        role,
        expiresInDays: daysText === '' ? null : Number(daysText),
        customerId: operator.customerId ?? (customerId === PLATFORM ? null : customerId),
      },
    });
    const payload = result.data?.createOperatorToken;
    if (result.error || !payload) {
      fail(result.error ? describeError(result.error, result.extensions) : { message: 'The token was not created.', code: null, requestId: null, fields: {} });
      return;
    }
    setName('');
    onCreated(payload.operatorToken.name, payload.token);
  };

  const invalid = (field: keyof typeof ids) => ({
    id: ids[field],
    'data-field': field,
    'aria-invalid': problem?.fields[field] ? true : undefined,
    'aria-describedby': problem?.fields[field] ? `${ids[field]}-error` : undefined,
  });
  const fieldError = (field: keyof typeof ids) =>
    problem?.fields[field] ? (
      <p className="field-error" id={`${ids[field]}-error`}>
        {problem.fields[field]}
      </p>
    ) : null;

  return (
    <form className="stack" onSubmit={submit} ref={formRef} noValidate aria-labelledby="create-token-heading">
      <h2 id="create-token-heading">Create a token</h2>
      <ErrorNotice problem={problem ?? undefined} />
      <div className="field">
        <label htmlFor={ids.name}>Name (who or what uses it)</label>
        <input {...invalid('name')} value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
        {fieldError('name')}
      </div>
      <div className="field">
        <label htmlFor={ids.role}>Role</label>
        <select {...invalid('role')} value={role} onChange={(e) => setRole(e.target.value as OperatorRole)}>
          {(Object.keys(ROLE_WORDS) as OperatorRole[]).map((value) => (
            <option key={value} value={value}>
              {ROLE_WORDS[value]}
            </option>
          ))}
        </select>
        {fieldError('role')}
      </div>
      <div className="field">
        <label htmlFor={ids.expiresInDays}>Expires after (days; empty for never)</label>
        <input {...invalid('expiresInDays')} inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} />
        {fieldError('expiresInDays')}
      </div>
      <div className="field">
        <label htmlFor={ids.customerId}>Customer</label>
        {operator.customerId === null ? (
          <select {...invalid('customerId')} value={customerId} onChange={(e) => setCustomerId(e.target.value)}>
            <option value={PLATFORM}>Platform-wide (every customer)</option>
            {customers.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.slug})
              </option>
            ))}
          </select>
        ) : (
          <input {...invalid('customerId')} readOnly value={own ? `${own.name} (${own.slug})` : operator.customerId} />
        )}
        {fieldError('customerId')}
      </div>
      <div className="actions">
        <button type="submit" disabled={creation.fetching}>
          {creation.fetching ? 'Creating…' : 'Create token'}
        </button>
      </div>
    </form>
  );
}
