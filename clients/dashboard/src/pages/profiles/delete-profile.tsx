import { useId, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useMutation } from 'urql';
import { useCustomerId } from '../../components/route-params';
import { ErrorNotice } from '../../components/states';
import { DashboardRequestProfileDeletionDocument } from '../../generated/graphql';

/** What the operator must type to erase a profile: its username, or "delete" and the id's first 8 characters while the username is hidden. */
export function confirmationText(profile: { id: string; username?: string | null | undefined }): string {
  return profile.username ?? `delete ${profile.id.slice(0, 8)}`;
}

/**
 * Erasure (`profiles:delete`): a modal dialog in which the operator types the username to enable
 * the button, so a profile is never erased by a stray click. Then the receipt's own page, which
 * does not need the profile (it is gone once the worker is done).
 */
export function DeleteProfile({ profile }: { profile: { id: string; username?: string | null | undefined } }) {
  const customerId = useCustomerId();
  const navigate = useNavigate();
  const dialog = useRef<HTMLDialogElement>(null);
  const ids = { title: useId(), input: useId(), hint: useId() };
  const [typed, setTyped] = useState('');
  const [state, requestDeletion] = useMutation(DashboardRequestProfileDeletionDocument);
  const expected = confirmationText(profile);
  const matches = typed.trim() === expected;

  const open = () => {
    setTyped('');
    dialog.current?.showModal();
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!matches) return;
    const result = await requestDeletion({ profileId: profile.id });
    const request = result.data?.requestProfileDeletion.deletionRequest;
    if (request) {
      dialog.current?.close();
      void navigate(`/c/${encodeURIComponent(customerId)}/profiles/deletions/${encodeURIComponent(request.id)}`);
    }
  };

  return (
    <section aria-labelledby="profile-delete">
      <h2 id="profile-delete">Erasure</h2>
      <p className="muted">
        Erases the person: their profile, previous values, consent decisions, sign-ins, tokens and codes. It cannot be undone; a receipt without personal data
        remains.
      </p>
      <button type="button" className="danger" onClick={open}>
        Delete this profile…
      </button>
      <dialog ref={dialog} aria-labelledby={ids.title} className="confirm-dialog">
        <form method="dialog" className="stack" onSubmit={(e) => void submit(e)}>
          <h2 id={ids.title}>Delete this profile?</h2>
          <p>
            Everything held about this person is erased for good. To confirm, type <strong>{expected}</strong> below.
          </p>
          <label htmlFor={ids.input}>Type {expected} to confirm</label>
          <input id={ids.input} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} aria-describedby={ids.hint} autoFocus />
          <p id={ids.hint} className="muted">
            {matches ? 'Confirmed: the button is enabled.' : 'The button stays disabled until the text matches exactly.'}
          </p>
          <ErrorNotice error={state.error} extensions={state.extensions} />
          <div className="dialog-actions">
            <button type="submit" className="danger" disabled={!matches || state.fetching}>
              Delete profile
            </button>
            <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </section>
  );
}
