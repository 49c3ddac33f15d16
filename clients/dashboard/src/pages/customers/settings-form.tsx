import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { describeError, type Problem } from '../../api/errors';
import { ErrorNotice } from '../../components/states';
import {
  DashboardUpdateCustomerDocument,
  type DashboardCustomerSettingsFragment,
  type PromptPolicy,
  type ReturnToVerification,
  type UpdateCustomerInput,
} from '../../generated/graphql';
import { RealmsEditor } from './realms-editor';
import { PROMPT_POLICY_WORDS, RETURN_TO_WORDS } from './words';

interface Draft {
  name: string;
  homeUrl: string;
  verifyUrl: string;
  promptPolicy: PromptPolicy;
  returnToVerification: ReturnToVerification;
  profileRetentionDays: string;
  trustedRealms: string[];
}

function draftOf(customer: DashboardCustomerSettingsFragment): Draft {
  return {
    name: customer.name,
    homeUrl: customer.homeUrl ?? '',
    verifyUrl: customer.verifyUrl,
    promptPolicy: customer.promptPolicy,
    returnToVerification: customer.returnToVerification,
    profileRetentionDays: customer.profileRetentionDays === null ? '' : String(customer.profileRetentionDays),
    trustedRealms: [...customer.trustedRealms],
  };
}

/**
 * The changes as UpdateCustomerInput: only fields that differ from the stored configuration are
 * sent (omitted fields stay), so a save never overwrites what someone else changed meanwhile.
 * Answers a field problem instead when the retention days are not a whole number.
 */
export function changesOf(customer: DashboardCustomerSettingsFragment, draft: Draft): UpdateCustomerInput | { field: string; message: string } {
  const input: UpdateCustomerInput = {};
  if (draft.name !== customer.name) input.name = draft.name;
  const homeUrl = draft.homeUrl.trim() === '' ? null : draft.homeUrl.trim();
  if (homeUrl !== customer.homeUrl) input.homeUrl = homeUrl;
  if (draft.verifyUrl !== customer.verifyUrl) input.verifyUrl = draft.verifyUrl.trim();
  if (draft.promptPolicy !== customer.promptPolicy) input.promptPolicy = draft.promptPolicy;
  if (draft.returnToVerification !== customer.returnToVerification) input.returnToVerification = draft.returnToVerification;
  const daysText = draft.profileRetentionDays.trim();
  if (daysText !== '' && !/^\d+$/.test(daysText)) return { field: 'profileRetentionDays', message: 'Enter a whole number of days, or leave it empty to keep profiles.' };
  const days = daysText === '' ? null : Number(daysText);
  if (days !== customer.profileRetentionDays) input.profileRetentionDays = days;
  const realms = draft.trustedRealms.map((realm) => realm.trim()).filter((realm) => realm !== '');
  if (JSON.stringify(realms) !== JSON.stringify(customer.trustedRealms)) input.trustedRealms = realms;
  return input;
}

/** The edit form for what UpdateCustomerInput allows; the API's validation message appears at the field it names. */
export function SettingsForm({ customer, onSaved, onCancel }: { customer: DashboardCustomerSettingsFragment; onSaved: (updated: DashboardCustomerSettingsFragment | null) => void; onCancel: () => void }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(customer));
  const [problem, setProblem] = useState<Problem | null>(null);
  const [update, run] = useMutation(DashboardUpdateCustomerDocument);
  const formRef = useRef<HTMLFormElement>(null);
  const ids = { name: useId(), homeUrl: useId(), verifyUrl: useId(), promptPolicy: useId(), returnToVerification: useId(), profileRetentionDays: useId() };

  useEffect(() => {
    formRef.current?.querySelector<HTMLInputElement>('input')?.focus();
  }, []);

  const focusField = (field: string) => {
    requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>(`[data-field="${field}"]`)?.focus());
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const changes = changesOf(customer, draft);
    if ('field' in changes && 'message' in changes) {
      setProblem({ message: changes.message, code: null, requestId: null, fields: { [changes.field]: changes.message } });
      focusField(changes.field);
      return;
    }
    if (Object.keys(changes).length === 0) {
      onSaved(null);
      return;
    }
    setProblem(null);
    const result = await run({ id: customer.id, input: changes });
    if (result.error) {
      const described = describeError(result.error, result.extensions);
      setProblem(described);
      const field = Object.keys(described.fields)[0];
      if (field) focusField(field);
      return;
    }
    onSaved(result.data?.updateCustomer.customer ?? null);
  };

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const errorOf = (field: string) => problem?.fields[field];
  const fieldProps = (field: keyof typeof ids) => ({
    id: ids[field],
    'data-field': field,
    'aria-invalid': errorOf(field) ? true : undefined,
    'aria-describedby': errorOf(field) ? `${ids[field]}-error` : undefined,
  });
  const fieldError = (field: keyof typeof ids) =>
    errorOf(field) ? (
      <p className="field-error" id={`${ids[field]}-error`}>
        {errorOf(field)}
      </p>
    ) : null;

  return (
    <section aria-labelledby="edit-heading">
      <h2 id="edit-heading">Edit configuration</h2>
      <form className="stack" onSubmit={submit} ref={formRef} noValidate>
        <ErrorNotice problem={problem ?? undefined} />
        <div className="field">
          <label htmlFor={ids.name}>Name</label>
          <input {...fieldProps('name')} value={draft.name} onChange={(e) => set('name', e.target.value)} maxLength={200} />
          {fieldError('name')}
        </div>
        <div className="field">
          <label htmlFor={ids.homeUrl}>Home page (optional)</label>
          <input {...fieldProps('homeUrl')} type="url" value={draft.homeUrl} onChange={(e) => set('homeUrl', e.target.value)} placeholder="https://www.example.com/" />
          {fieldError('homeUrl')}
        </div>
        <div className="field">
          <label htmlFor={ids.verifyUrl}>AW login page (verify URL)</label>
          <input {...fieldProps('verifyUrl')} type="url" value={draft.verifyUrl} onChange={(e) => set('verifyUrl', e.target.value)} />
          {fieldError('verifyUrl')}
        </div>
        <div className="field">
          <label htmlFor={ids.promptPolicy}>Consent prompt</label>
          <select {...fieldProps('promptPolicy')} value={draft.promptPolicy} onChange={(e) => set('promptPolicy', e.target.value as PromptPolicy)}>
            {(Object.keys(PROMPT_POLICY_WORDS) as PromptPolicy[]).map((value) => (
              <option key={value} value={value}>
                {PROMPT_POLICY_WORDS[value]}
              </option>
            ))}
          </select>
          {fieldError('promptPolicy')}
        </div>
        <div className="field">
          <label htmlFor={ids.returnToVerification}>Return-URL verification</label>
          <select
            {...fieldProps('returnToVerification')}
            value={draft.returnToVerification}
            onChange={(e) => set('returnToVerification', e.target.value as ReturnToVerification)}
          >
            {(Object.keys(RETURN_TO_WORDS) as ReturnToVerification[]).map((value) => (
              <option key={value} value={value}>
                {RETURN_TO_WORDS[value]}
              </option>
            ))}
          </select>
          {fieldError('returnToVerification')}
        </div>
        <div className="field">
          <label htmlFor={ids.profileRetentionDays}>Profile retention in days (empty keeps profiles)</label>
          <input
            {...fieldProps('profileRetentionDays')}
            inputMode="numeric"
            value={draft.profileRetentionDays}
            onChange={(e) => set('profileRetentionDays', e.target.value)}
          />
          {fieldError('profileRetentionDays')}
        </div>
        <RealmsEditor realms={draft.trustedRealms} onChange={(realms) => set('trustedRealms', realms)} error={errorOf('trustedRealms')} />
        <div className="actions">
          <button type="submit" disabled={update.fetching}>
            {update.fetching ? 'Saving…' : 'Save configuration'}
          </button>
          <button type="button" className="secondary" onClick={onCancel} disabled={update.fetching}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
