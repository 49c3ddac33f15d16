import { Link } from 'react-router';
import { useQuery } from 'urql';
import { DateTime } from '../../components/date-time';
import { Pager, useCursorPages } from '../../components/pagination';
import { Empty, ErrorNotice, Loading, RoleNote } from '../../components/states';
import { DashboardCustomersDocument } from '../../generated/graphql';
import { useOperator } from '../../session-context';

const PAGE_SIZE = 25;

/**
 * Every customer, oldest first, for platform-wide operators. A token bound to one customer has
 * only that customer: it is sent there instead of being shown a list of one.
 */
export function CustomersPage() {
  const operator = useOperator();
  if (operator.customerId !== null) {
    const own = `/c/${encodeURIComponent(operator.customerId)}`;
    return (
      <>
        <h1>Customers</h1>
        <RoleNote>
          Your token is bound to one customer, so there is no customer list for it. Go to <Link to={`${own}/settings`}>your customer's settings</Link>.
        </RoleNote>
      </>
    );
  }
  return <CustomerList />;
}

function CustomerList() {
  const pages = useCursorPages();
  const [result] = useQuery({ query: DashboardCustomersDocument, variables: { first: PAGE_SIZE, after: pages.after } });
  const connection = result.data?.customers;

  return (
    <>
      <h1>Customers</h1>
      {result.fetching && !connection && <Loading what="customers" />}
      <ErrorNotice error={result.error} extensions={result.extensions} />
      {connection && connection.nodes.length === 0 && <Empty>{pages.page > 1 ? 'No more customers.' : 'There are no customers yet.'}</Empty>}
      {connection && connection.nodes.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Customers, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Slug</th>
                <th scope="col">Region</th>
                <th scope="col">Created</th>
                <th scope="col">Settings</th>
              </tr>
            </thead>
            <tbody>
              {connection.nodes.map((customer) => {
                const base = `/c/${encodeURIComponent(customer.id)}`;
                return (
                  <tr key={customer.id}>
                    <td>
                      <Link to={base}>{customer.name}</Link>
                    </td>
                    <td>
                      <code className="nowrap">{customer.slug}</code>
                    </td>
                    <td>{customer.region}</td>
                    <td>
                      <DateTime value={customer.createdAt} />
                    </td>
                    <td>
                      <Link to={`${base}/settings`} aria-label={`Settings of ${customer.name}`}>
                        Settings
                      </Link>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        label="Customers"
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        hasNext={connection?.pageInfo.hasNextPage ?? false}
        onPrevious={pages.previous}
        onNext={() => pages.next(connection?.pageInfo.endCursor)}
      />
    </>
  );
}
