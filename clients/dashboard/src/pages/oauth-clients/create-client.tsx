import { useId, useRef, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { describeError, type Problem } from '../../api/errors';
import { ErrorNotice } from '../../components/states';
import { DashboardCreateOAuthClientDocument } from '../../generated/graphql';
// The service's own list (a module of constants, no imports): the form offers exactly what the API accepts.
import { OAUTH_SCOPES } from '../../../../../src/oauth/scopes';

export interface IssuedSecret {
  what: string;
  clientId: string;
  clientSecret: string;
}

/** Registers a client for the customer; its secret comes back once, handed to `onCreated`. */
export function CreateClientForm({ customerId, onCreated }: { customerId: string; onCreated: (issued: IssuedSecret) => void }) {
  const nameId = useId();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [creation, create] = useMutation(DashboardCreateOAuthClientDocument);
  const formRef = useRef<HTMLFormElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === '') return fail({ name: 'Give the client a name (1-200 characters).' });
    if (scopes.length === 0) return fail({ scopes: 'Tick at least one scope.' });
    setProblem(null);
    const result = await create({ input: { customerId, name: name.trim(), scopes } });
    const payload = result.data?.createOAuthClient;
    if (result.error || !payload) {
      const described = result.error ? describeError(result.error, result.extensions) : { message: 'The client was not created.', code: null, requestId: null, fields: {} };
      setProblem(described);
      focusFirstInvalid(Object.keys(described.fields)[0]);
      return;
    }
    setName('');
    setScopes([]);
    onCreated({ what: `Client secret of ${payload.client.name}`, clientId: payload.clientId, clientSecret: payload.clientSecret });
  };

  function fail(fields: Record<string, string>) {
    const message = Object.values(fields)[0] ?? 'Check the form.';
    setProblem({ message, code: null, requestId: null, fields });
    focusFirstInvalid(Object.keys(fields)[0]);
  }

  function focusFirstInvalid(field: string | undefined) {
    if (!field) return;
    requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>(`[data-field="${field}"]`)?.focus());
  }

  return (
    <form className="stack" onSubmit={submit} ref={formRef} noValidate aria-labelledby="create-client-heading">
      <h2 id="create-client-heading">Register a client</h2>
      <ErrorNotice problem={problem ?? undefined} />
      <div className="field">
        <label htmlFor={nameId}>Client name</label>
        <input
          id={nameId}
          data-field="name"
          value={name}
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
          aria-invalid={problem?.fields.name ? true : undefined}
          aria-describedby={problem?.fields.name ? `${nameId}-error` : undefined}
        />
        {problem?.fields.name && (
          <p className="field-error" id={`${nameId}-error`}>
            {problem.fields.name}
          </p>
        )}
      </div>
      <fieldset className="scope-list">
        <legend>Scopes the client may request</legend>
        {problem?.fields.scopes && <p className="field-error">{problem.fields.scopes}</p>}
        {OAUTH_SCOPES.map((scope, index) => (
          <label key={scope} className="check">
            <input
              type="checkbox"
              data-field={index === 0 ? 'scopes' : undefined}
              checked={scopes.includes(scope)}
              onChange={(e) => setScopes((now) => (e.target.checked ? [...now, scope] : now.filter((s) => s !== scope)))}
            />
            <code>{scope}</code>
          </label>
        ))}
      </fieldset>
      <div className="actions">
        <button type="submit" disabled={creation.fetching}>
          {creation.fetching ? 'Registering…' : 'Register client'}
        </button>
      </div>
    </form>
  );
}
