import { DateTime } from '../../components/date-time';
import type { DashboardAuditEventsQuery } from '../../generated/graphql';

export type AuditEventNode = DashboardAuditEventsQuery['auditEvents']['nodes'][number];

const ACTOR_WORDS: Record<string, string> = { AW: 'login site', CLIENT: 'OAuth client', OPERATOR: 'operator', SYSTEM: 'system', USER: 'user' };

/** A value as the API gave it: null shown as a dash, never guessed at. */
function Value({ value }: { value: string | null | undefined }) {
  return value == null ? <span className="muted">—</span> : <code>{value}</code>;
}

/**
 * One audit event: when, what, who, to what (and whom, for roles that may see it), with its
 * details folded in a disclosure: personal field changes old → new exactly as the API gave them,
 * and the non-personal facts.
 */
export function AuditEventRow({ event, withPersonal }: { event: AuditEventNode; withPersonal: boolean }) {
  const details = event.details ? Object.entries(event.details) : [];
  const changes = event.changes ?? [];
  return (
    <tr>
      <td>
        <DateTime value={event.occurredAt} />
      </td>
      <td>{event.seq}</td>
      <td>
        <code className="nowrap">{event.action}</code> {event.isErased && <span className="badge warn">erased</span>}
      </td>
      <td>
        {ACTOR_WORDS[event.actorKind] ?? event.actorKind} <code>{event.actorId}</code>
      </td>
      <td>
        {event.targetType}
        {event.targetId && (
          <>
            {' '}
            <code>{event.targetId}</code>
          </>
        )}
      </td>
      {withPersonal && <td>{event.subject ?? <span className="muted">{event.isErased ? 'erased' : '—'}</span>}</td>}
      <td>
        <details className="audit-details">
          <summary>
            Details<span className="visually-hidden"> of event #{event.seq}</span>
          </summary>
          <dl className="details">
            <dt>Recorded</dt>
            <dd>
              <DateTime value={event.recordedAt} />
            </dd>
            <dt>Event id</dt>
            <dd>
              <code>{event.id}</code>
            </dd>
            {event.isErased && (
              <>
                <dt>Erased</dt>
                <dd>Its personal values were erased; the chain still verifies.</dd>
              </>
            )}
            {event.fields.length > 0 && (
              <>
                <dt>Fields changed</dt>
                <dd>{event.fields.join(', ')}</dd>
              </>
            )}
            {changes.map((change) => (
              <FieldChange key={change.field} field={change.field} oldValue={change.oldValue} newValue={change.newValue} />
            ))}
            {details.map(([key, value]) => (
              <DetailEntry key={key} name={key} value={value} />
            ))}
          </dl>
        </details>
      </td>
    </tr>
  );
}

function FieldChange({ field, oldValue, newValue }: { field: string; oldValue: string | null | undefined; newValue: string | null | undefined }) {
  return (
    <>
      <dt>{field}</dt>
      <dd>
        <Value value={oldValue} /> <span aria-hidden="true">→</span> <span className="visually-hidden">changed to</span> <Value value={newValue} />
      </dd>
    </>
  );
}

function DetailEntry({ name, value }: { name: string; value: unknown }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>
        <code>{typeof value === 'string' ? value : JSON.stringify(value)}</code>
      </dd>
    </>
  );
}
