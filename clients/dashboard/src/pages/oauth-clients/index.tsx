import { useRef, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { describeError, type Problem } from '../../api/errors';
import { DateTime } from '../../components/date-time';
import { Pager, useCursorPages } from '../../components/pagination';
import { useCustomerId } from '../../components/route-params';
import { ShownOnce } from '../../components/shown-once';
import { Empty, ErrorNotice, Loading } from '../../components/states';
import {
  DashboardDisableOAuthClientDocument,
  DashboardOAuthClientsDocument,
  DashboardRotateOAuthClientSecretDocument,
  type DashboardOAuthClientFragment,
} from '../../generated/graphql';
import { Confirm } from '../customers/confirm';
import { CreateClientForm, type IssuedSecret } from './create-client';

const PAGE_SIZE = 20;

type Pending = { kind: 'rotate' | 'disable'; client: DashboardOAuthClientFragment };

/**
 * A customer's OAuth 2.0 clients (platform-wide owners: the `operator` scope): list, register
 * (secret shown once), rotate the secret (shown once), disable. Rotating and disabling ask first.
 */
export function OAuthClientsPage() {
  const customerId = useCustomerId();
  const pages = useCursorPages();
  const [result, refetch] = useQuery({ query: DashboardOAuthClientsDocument, variables: { customerId, first: PAGE_SIZE, after: pages.after } });
  const [rotation, rotate] = useMutation(DashboardRotateOAuthClientSecretDocument);
  const [disabling, disable] = useMutation(DashboardDisableOAuthClientDocument);
  const [pending, setPending] = useState<Pending | null>(null);
  const [issued, setIssued] = useState<IssuedSecret | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const outcomeRef = useRef<HTMLDivElement>(null);
  const connection = result.data?.oauthClients;

  const showOutcome = () => requestAnimationFrame(() => outcomeRef.current?.focus());

  const act = async () => {
    if (!pending) return;
    const { kind, client } = pending;
    setProblem(null);
    setIssued(null);
    setNotice(null);
    if (kind === 'rotate') {
      const res = await rotate({ id: client.id });
      const payload = res.data?.rotateOAuthClientSecret;
      if (payload) setIssued({ what: `New client secret of ${client.name}`, clientId: payload.client.clientId, clientSecret: payload.clientSecret });
      else if (res.error) setProblem(describeError(res.error, res.extensions));
    } else {
      const res = await disable({ id: client.id });
      if (res.data) setNotice(`${client.name} is disabled: it can no longer get tokens, and its tokens were revoked.`);
      else if (res.error) setProblem(describeError(res.error, res.extensions));
    }
    setPending(null);
    refetch({ requestPolicy: 'network-only' });
    showOutcome();
  };

  return (
    <>
      <h1>OAuth clients</h1>
      <p className="muted">Clients get access tokens with the client credentials grant, limited to the scopes given here.</p>
      <div tabIndex={-1} ref={outcomeRef} className="outcome">
        <ErrorNotice problem={problem ?? undefined} />
        {notice && (
          <p className="notice-ok" role="status">
            {notice}
          </p>
        )}
        {issued && (
          <div className="stack">
            <p>
              client_id <code>{issued.clientId}</code>
            </p>
            <ShownOnce label={issued.what} value={issued.clientSecret} />
          </div>
        )}
      </div>
      {pending && (
        <Confirm
          danger={pending.kind === 'disable'}
          busy={rotation.fetching || disabling.fetching}
          confirmLabel={pending.kind === 'rotate' ? 'Rotate the secret' : 'Disable the client'}
          onConfirm={() => void act()}
          onCancel={() => setPending(null)}
        >
          {pending.kind === 'rotate' ? (
            <p>
              Rotate the secret of <strong>{pending.client.name}</strong>? The current secret stops working at once; tokens already issued stay
              valid until they expire.
            </p>
          ) : (
            <p>
              Disable <strong>{pending.client.name}</strong>? It can no longer get or check tokens, and its outstanding tokens are revoked. This
              cannot be undone here.
            </p>
          )}
        </Confirm>
      )}
      <h2>Clients</h2>
      {result.fetching && !connection && <Loading what="OAuth clients" />}
      <ErrorNotice error={result.error} extensions={result.extensions} />
      {connection && connection.nodes.length === 0 && <Empty>{pages.page > 1 ? 'No more clients.' : 'This customer has no OAuth clients yet. Register one below.'}</Empty>}
      {connection && connection.nodes.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">OAuth clients, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">client_id</th>
                <th scope="col">Scopes</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {connection.nodes.map((client) => (
                <tr key={client.id}>
                  <td>{client.name}</td>
                  <td>
                    <code>{client.clientId}</code>
                  </td>
                  <td>
                    <ul className="plain">
                      {client.scopes.map((scope) => (
                        <li key={scope}>
                          <code>{scope}</code>
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    {client.isDisabled ? (
                      <span className="badge bad">
                        Disabled <DateTime value={client.disabledAt} />
                      </span>
                    ) : (
                      <span className="badge ok">Enabled</span>
                    )}
                  </td>
                  <td>
                    <DateTime value={client.createdAt} />
                  </td>
                  <td className="row-actions">
                    {!client.isDisabled && (
                      <>
                        <button type="button" className="secondary" onClick={() => setPending({ kind: 'rotate', client })}>
                          Rotate secret<span className="visually-hidden"> of {client.name}</span>
                        </button>
                        <button type="button" className="secondary" onClick={() => setPending({ kind: 'disable', client })}>
                          Disable<span className="visually-hidden"> {client.name}</span>
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        label="OAuth clients"
        page={pages.page}
        hasPrevious={pages.hasPrevious}
        hasNext={connection?.pageInfo.hasNextPage ?? false}
        onPrevious={pages.previous}
        onNext={() => pages.next(connection?.pageInfo.endCursor)}
      />
      <CreateClientForm
        customerId={customerId}
        onCreated={(secret) => {
          setProblem(null);
          setNotice(null);
          setIssued(secret);
          refetch({ requestPolicy: 'network-only' });
          showOutcome();
        }}
      />
    </>
  );
}
