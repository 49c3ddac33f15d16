import { useRef, useState } from 'react';
import { useQuery } from 'urql';
import { DateTime } from '../../components/date-time';
import { ErrorNotice, Loading, RoleNote } from '../../components/states';
import { useCustomerId } from '../../components/route-params';
import { DashboardCustomerSettingsDocument, type DashboardCustomerSettingsFragment } from '../../generated/graphql';
import { useCan, useOperator } from '../../session-context';
import { RotateApiKey } from './rotate-api-key';
import { SettingsForm } from './settings-form';
import { PROMPT_POLICY_WORDS, RETURN_TO_WORDS } from './words';


/**
 * A customer's configuration: every field for any role with `customers:read`; the edit form and
 * API key rotation only for roles with `customers:write`.
 */
export function CustomerSettingsPage() {
  const customerId = useCustomerId();
  const can = useCan();
  const operator = useOperator();
  const [result] = useQuery({ query: DashboardCustomerSettingsDocument, variables: { id: customerId } });
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const savedNotice = useRef<HTMLParagraphElement>(null);
  // The mutation's answer is shown at once; the query's refetch replaces it once it is as new.
  const [savedCustomer, setSavedCustomer] = useState<DashboardCustomerSettingsFragment | null>(null);
  const fetched = result.data?.customer;
  const customer = savedCustomer && fetched && savedCustomer.id === fetched.id && savedCustomer.updatedAt > fetched.updatedAt ? savedCustomer : fetched;
  const mayWrite = can('customers:write');

  return (
    <>
      <h1>Settings</h1>
      {result.fetching && !result.data && <Loading what="the configuration" />}
      <ErrorNotice error={result.error} extensions={result.extensions} />
      {result.data && !customer && <p className="state">There is no customer with this id that your token may see.</p>}
      {customer && (
        <>
          {!mayWrite && (
            <RoleNote>
              Your role ({operator.role}) may read this configuration but not change it or rotate the API key.
            </RoleNote>
          )}
          {saved && !editing && (
            <p className="notice-ok" role="status" tabIndex={-1} ref={savedNotice}>
              The configuration was saved.
            </p>
          )}
          {editing ? (
            <SettingsForm
              customer={customer}
              onSaved={(updated) => {
                if (updated) setSavedCustomer(updated);
                setEditing(false);
                setSaved(true);
                requestAnimationFrame(() => savedNotice.current?.focus());
              }}
              onCancel={() => {
                setEditing(false);
                requestAnimationFrame(() => editButton.current?.focus());
              }}
            />
          ) : (
            <section aria-labelledby="configuration-heading">
              <h2 id="configuration-heading">Configuration</h2>
              <SettingsDetails customer={customer} />
              {mayWrite && (
                <p>
                  <button
                    type="button"
                    ref={editButton}
                    onClick={() => {
                      setSaved(false);
                      setEditing(true);
                    }}
                  >
                    Edit configuration
                  </button>
                </p>
              )}
            </section>
          )}
          {mayWrite && <RotateApiKey customer={customer} />}
        </>
      )}
    </>
  );
}

function SettingsDetails({ customer }: { customer: DashboardCustomerSettingsFragment }) {
  return (
    <dl className="details">
      <dt>Name</dt>
      <dd>{customer.name}</dd>
      <dt>Slug</dt>
      <dd>
        <code>{customer.slug}</code>
      </dd>
      <dt>Id</dt>
      <dd>
        <code>{customer.id}</code>
      </dd>
      <dt>Region</dt>
      <dd>
        {customer.region} <span className="muted">(fixed at creation; a platform owner moves data between regions)</span>
      </dd>
      <dt>Home page</dt>
      <dd>{customer.homeUrl ?? <span className="muted">none</span>}</dd>
      <dt>AW login page (verify URL)</dt>
      <dd>{customer.verifyUrl}</dd>
      <dt>Postback URL</dt>
      <dd>{customer.postbackUrl}</dd>
      <dt>Return URL</dt>
      <dd>{customer.returnUrl}</dd>
      <dt>OpenID identifier</dt>
      <dd>{customer.openidIdentifier}</dd>
      <dt>Consent prompt</dt>
      <dd>{PROMPT_POLICY_WORDS[customer.promptPolicy]}</dd>
      <dt>Return-URL verification</dt>
      <dd>{RETURN_TO_WORDS[customer.returnToVerification]}</dd>
      <dt>Profile retention</dt>
      <dd>{customer.profileRetentionDays === null ? 'Kept (no retention limit)' : `Erased after ${customer.profileRetentionDays} days unseen`}</dd>
      <dt>Trusted realms</dt>
      <dd>
        {customer.trustedRealms.length === 0 ? (
          <span>Any realm (none listed)</span>
        ) : (
          <ul className="realms" aria-label="Trusted realms">
            {customer.trustedRealms.map((realm) => (
              <li key={realm}>
                <code>{realm}</code>
              </li>
            ))}
          </ul>
        )}
      </dd>
      <dt>Created</dt>
      <dd>
        <DateTime value={customer.createdAt} />
      </dd>
      <dt>Last changed</dt>
      <dd>
        <DateTime value={customer.updatedAt} />
      </dd>
    </dl>
  );
}
