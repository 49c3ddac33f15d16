import { useId, useRef, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { describeError, type Problem } from '../../api/errors';
import { ErrorNotice } from '../../components/states';
import { ShownOnce } from '../../components/shown-once';
import { DashboardCreateWebhookEndpointDocument } from '../../generated/graphql';
import { WEBHOOK_EVENT_TYPES } from './events';

/** Why the form cannot be sent, per field; empty when it can. The API checks everything again. */
function check(url: string, events: string[]): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!url.trim()) problems.url = 'Enter the URL events are sent to.';
  else {
    try {
      const parsed = new URL(url.trim());
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') problems.url = 'The URL must start with https://.';
    } catch {
      problems.url = 'This is not a URL (it must start with https://).';
    }
  }
  if (events.length === 0) problems.events = 'Choose at least one event type.';
  return problems;
}

/**
 * Creates an endpoint: URL, description and the event types it receives. The signing secret comes
 * back once and is shown once, with copy; the list updates from the mutation's result.
 */
export function CreateEndpoint({ customerId, onCreated }: { customerId: string; onCreated: () => void }) {
  const id = useId();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [fieldProblems, setFieldProblems] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [created, setCreated] = useState<{ url: string; secret: string } | null>(null);
  const [state, create] = useMutation(DashboardCreateWebhookEndpointDocument);
  const resultRef = useRef<HTMLDivElement>(null);

  const toggle = (type: string) => setEvents((now) => (now.includes(type) ? now.filter((e) => e !== type) : [...now, type]));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setCreated(null);
    setProblem(null);
    const local = check(url, events);
    setFieldProblems(local);
    if (Object.keys(local).length > 0) return;
    const res = await create({ customerId, input: { url: url.trim(), events, description: description.trim() || null } });
    if (res.error) {
      const described = describeError(res.error, res.extensions);
      setProblem(described);
      setFieldProblems(described.fields);
      return;
    }
    if (res.data) {
      setCreated({ url: res.data.createWebhookEndpoint.endpoint.url, secret: res.data.createWebhookEndpoint.signingSecret });
      setUrl('');
      setDescription('');
      setEvents([]);
      onCreated();
      requestAnimationFrame(() => resultRef.current?.focus());
    }
  };

  const describedBy = (field: string) => (fieldProblems[field] ? `${id}-${field}-error` : undefined);
  return (
    <section aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Add an endpoint</h2>
      {created && (
        <div ref={resultRef} tabIndex={-1} className="stack">
          <p className="notice-ok">Endpoint {created.url} was created. Give its signing secret to the receiver to verify signatures.</p>
          <ShownOnce label="Signing secret" value={created.secret} />
        </div>
      )}
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        <label htmlFor={`${id}-url`}>URL</label>
        <input id={`${id}-url`} type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com/hooks" maxLength={2048} aria-invalid={Boolean(fieldProblems.url)} aria-describedby={describedBy('url')} />
        {fieldProblems.url && <p id={`${id}-url-error`} className="field-error">{fieldProblems.url}</p>}
        <label htmlFor={`${id}-description`}>Description (optional)</label>
        <input id={`${id}-description`} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} aria-invalid={Boolean(fieldProblems.description)} aria-describedby={describedBy('description')} />
        {fieldProblems.description && <p id={`${id}-description-error`} className="field-error">{fieldProblems.description}</p>}
        <fieldset className="event-types" aria-describedby={describedBy('events')}>
          <legend>Event types</legend>
          {WEBHOOK_EVENT_TYPES.map((type) => (
            <label key={type} className="check">
              <input type="checkbox" checked={events.includes(type)} onChange={() => toggle(type)} /> {type}
            </label>
          ))}
        </fieldset>
        {fieldProblems.events && <p id={`${id}-events-error`} className="field-error">{fieldProblems.events}</p>}
        <div>
          <button type="submit" disabled={state.fetching}>
            {state.fetching ? 'Creating…' : 'Create endpoint'}
          </button>
        </div>
        {problem && <ErrorNotice problem={problem} />}
      </form>
    </section>
  );
}
