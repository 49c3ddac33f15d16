import { useRef, useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { describeError, type Problem } from '../../api/errors';
import { DateTime } from '../../components/date-time';
import { Pager, useCursorPages } from '../../components/pagination';
import { ShownOnce } from '../../components/shown-once';
import { Empty, ErrorNotice, Loading } from '../../components/states';
import { DashboardCustomersDocument, DashboardOperatorTokensDocument, DashboardRevokeOperatorTokenDocument, type DashboardOperatorTokenFragment } from '../../generated/graphql';
import { useSession } from '../../session-context';
import { Confirm } from '../customers/confirm';
import { CreateTokenForm } from './create-token';

const PAGE_SIZE = 20;

/**
 * Operator tokens (`operators:manage`, owners): list, create (the token shown once), revoke. A
 * customer-bound owner sees and creates only its own customer's tokens (the service enforces it).
 * Revoking the token this session runs on is allowed, but said plainly first: it signs you out.
 */
export function OperatorTokensPage() {
  const { session, signOut } = useSession();
  const operator = session.operator;
  const pages = useCursorPages();
  const [result, refetch] = useQuery({ query: DashboardOperatorTokensDocument, variables: { first: PAGE_SIZE, after: pages.after } });
  // Names for the customer column and the create form (a bound owner's list holds only its own customer).
  const [customersResult] = useQuery({ query: DashboardCustomersDocument, variables: { first: 100 } });
  const [revocation, revoke] = useMutation(DashboardRevokeOperatorTokenDocument);
  const [pending, setPending] = useState<DashboardOperatorTokenFragment | null>(null);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const outcomeRef = useRef<HTMLDivElement>(null);
  const customers = customersResult.data?.customers.nodes ?? [];
  const customerName = new Map(customers.map((c) => [c.id, `${c.name} (${c.slug})`]));
  const connection = result.data?.operatorTokens;
  const now = Date.now();

  const showOutcome = () => requestAnimationFrame(() => outcomeRef.current?.focus());

  const confirmRevoke = async () => {
    if (!pending) return;
    const own = pending.id === operator.id;
    setProblem(null);
    setCreated(null);
    const res = await revoke({ id: pending.id });
    setPending(null);
    if (res.error) setProblem(describeError(res.error, res.extensions));
    else if (own) return void signOut();
    else {
      setNotice(`${pending.name} is revoked: it stopped working at once.`);
      refetch({ requestPolicy: 'network-only' });
    }
    showOutcome();
  };

  return (
    <>
      <h1>Operator tokens</h1>
      <p className="muted">
        {operator.customerId === null
          ? 'Tokens of every customer and the platform-wide ones.'
          : `Tokens bound to ${customerName.get(operator.customerId) ?? 'your customer'}: a token bound to one customer manages that customer's tokens only.`}
      </p>
      <div tabIndex={-1} ref={outcomeRef} className="outcome">
        <ErrorNotice problem={problem ?? undefined} />
        {notice && (
          <p className="notice-ok" role="status">
            {notice}
          </p>
        )}
        {created && <ShownOnce label={`Operator token ${created.name}`} value={created.token} />}
      </div>
      {pending && (
        <Confirm danger busy={revocation.fetching} confirmLabel={pending.id === operator.id ? 'Revoke and sign out' : 'Revoke the token'} onConfirm={() => void confirmRevoke()} onCancel={() => setPending(null)}>
          {pending.id === operator.id ? (
            <p className="role-note">
              <strong>{pending.name}</strong> is the token you are signed in with. Revoking it ends this session at once: you will be signed out and
              need another token to sign in again.
            </p>
          ) : (
            <p>
              Revoke <strong>{pending.name}</strong>? It stops working at once, and sessions signed in with it end. This cannot be undone.
            </p>
          )}
        </Confirm>
      )}
      <h2>Tokens</h2>
      {result.fetching && !connection && <Loading what="operator tokens" />}
      <ErrorNotice error={result.error} extensions={result.extensions} />
      {connection && connection.nodes.length === 0 && <Empty>{pages.page > 1 ? 'No more tokens.' : 'There are no operator tokens yet.'}</Empty>}
      {connection && connection.nodes.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Operator tokens, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Customer</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {connection.nodes.map((token) => {
                const expired = token.expiresAt !== null && Date.parse(token.expiresAt) <= now;
                return (
                  <tr key={token.id}>
                    <td>
                      {token.name}
                      {token.id === operator.id && <span className="badge warn">this session</span>}
                    </td>
                    <td className="role">{token.role.toLowerCase()}</td>
                    <td>
                      {token.customerId === null ? (
                        'Platform-wide'
                      ) : (
                        <Link to={`/c/${encodeURIComponent(token.customerId)}/settings`}>{customerName.get(token.customerId) ?? token.customerId}</Link>
                      )}
                    </td>
                    <td>
                      <DateTime value={token.createdAt} />
                    </td>
                    <td>{token.lastUsedAt ? <DateTime value={token.lastUsedAt} /> : <span className="muted">never</span>}</td>
                    <td>{token.expiresAt ? <DateTime value={token.expiresAt} /> : <span className="muted">never</span>}</td>
                    <td>
                      {token.isRevoked ? (
                        <span className="badge bad">
                          Revoked <DateTime value={token.revokedAt} />
                        </span>
                      ) : expired ? (
                        <span className="badge warn">Expired</span>
                      ) : (
                        <span className="badge ok">Active</span>
                      )}
                    </td>
                    <td className="row-actions">
                      {!token.isRevoked && !expired && (
                        <button type="button" className="secondary" onClick={() => setPending(token)}>
                          Revoke<span className="visually-hidden"> {token.name}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        label="Operator tokens"
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        hasNext={connection?.pageInfo.hasNextPage ?? false}
        onPrevious={pages.previous}
        onNext={() => pages.next(connection?.pageInfo.endCursor)}
      />
      <CreateTokenForm
        customers={customers}
        onCreated={(name, token) => {
          setProblem(null);
          setNotice(null);
          setCreated({ name, token });
          refetch({ requestPolicy: 'network-only' });
          showOutcome();
        }}
      />
    </>
  );
}
