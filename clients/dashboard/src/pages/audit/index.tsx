import { useState } from 'react';
import { useQuery } from 'urql';
import { Pager, useCursorPages } from '../../components/pagination';
import { useCustomerId } from '../../components/route-params';
import { Empty, ErrorNotice, Loading, RoleNote } from '../../components/states';
import { DashboardAuditEventsDocument, type AuditEventFilter } from '../../generated/graphql';
import { useCan, useOperator } from '../../session-context';
import { AuditEventRow } from './event-row';
import { AuditFilters, localToIso, NO_FILTERS, type AuditFilterValues } from './filters';
import { VerifyChain } from './verify-chain';

const PAGE_SIZE = 20;

function toFilter(customerId: string, values: AuditFilterValues, withPersonal: boolean): AuditEventFilter {
  const filter: AuditEventFilter = { customerId };
  if (values.action) filter.action = values.action;
  if (values.actor) filter.actor = values.actor;
  // Asking by username needs audit.personal; without it the field is not even offered.
  if (withPersonal && values.subject) filter.subject = values.subject;
  const from = localToIso(values.from);
  const to = localToIso(values.to);
  if (from) filter.from = from;
  if (to) filter.to = to;
  return filter;
}

/**
 * A customer's audit trail, newest first, with filters and chain verification. Whom an event is
 * about (and the personal values it changed) is asked for only when the role holds
 * `audit.personal`; otherwise it is left out with a note.
 */
export function AuditPage() {
  const customerId = useCustomerId();
  const can = useCan();
  const operator = useOperator();
  const withPersonal = can('audit.personal');
  const [values, setValues] = useState<AuditFilterValues>(NO_FILTERS);
  const pages = useCursorPages();
  const [result] = useQuery({
    query: DashboardAuditEventsDocument,
    variables: { filter: toFilter(customerId, values, withPersonal), first: PAGE_SIZE, after: pages.after, withPersonal },
  });
  const connection = result.data?.auditEvents;

  return (
    <>
      <h1>Audit</h1>
      <VerifyChain customerId={customerId} />
      <h2>Events</h2>
      {!withPersonal && (
        <RoleNote>
          Your role ({operator.role}) does not include whom events are about or the personal values they changed, so the subject column and field values
          are left out.
        </RoleNote>
      )}
      <AuditFilters
        withSubject={withPersonal}
        onApply={(next) => {
          setValues(next);
          pages.reset();
        }}
      />
      {result.error && <ErrorNotice error={result.error} extensions={result.extensions} />}
      {!connection && result.fetching && <Loading what="audit events" />}
      {connection && connection.nodes.length === 0 && <Empty>No audit events match. {Object.values(values).some(Boolean) ? 'Try clearing the filters.' : ''}</Empty>}
      {connection && connection.nodes.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption>Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">#</th>
                <th scope="col">Action</th>
                <th scope="col">Actor</th>
                <th scope="col">Target</th>
                {withPersonal && <th scope="col">Subject</th>}
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {connection.nodes.map((event) => (
                <AuditEventRow key={event.id} event={event} withPersonal={withPersonal} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {connection && (
        <Pager
          label="Audit events"
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
