import { useState } from 'react';
import { useMutation } from 'urql';
import { DateTime } from '../../components/date-time';
import { ErrorNotice } from '../../components/states';
import { DashboardSetProfileRestrictionDocument } from '../../generated/graphql';
import { useCan } from '../../session-context';

/**
 * The restriction of processing (GDPR art. 18) and, for `profiles:write`, the switch. What it does
 * is said next to it, since an operator sets it for a person's request and must know the effect.
 */
export function RestrictionPanel({ profile, onChanged }: { profile: { id: string; isRestricted: boolean; restrictedAt?: string | null }; onChanged: () => void }) {
  const can = useCan();
  const [state, setRestriction] = useMutation(DashboardSetProfileRestrictionDocument);
  const [done, setDone] = useState<string | null>(null);

  const toggle = async () => {
    setDone(null);
    const restricted = !profile.isRestricted;
    const result = await setRestriction({ profileId: profile.id, restricted });
    if (!result.error) {
      setDone(restricted ? 'Processing is now restricted.' : 'The restriction is lifted.');
      onChanged();
    }
  };

  return (
    <section aria-labelledby="profile-restriction">
      <h2 id="profile-restriction">Restriction of processing</h2>
      <p>
        {profile.isRestricted ? (
          <>
            <span className="badge warn">Restricted</span> since <DateTime value={profile.restrictedAt} />
          </>
        ) : (
          <span className="badge ok">Not restricted</span>
        )}
      </p>
      <p className="muted">
        While restricted (GDPR art. 18) the user can still sign in, but no profile field is released to sites, the API shows only the id and this flag, consent
        decisions are hidden, and the profile cannot be rectified.
      </p>
      {can('profiles:write') && (
        <button type="button" className={profile.isRestricted ? 'secondary' : undefined} disabled={state.fetching} onClick={() => void toggle()}>
          {profile.isRestricted ? 'Lift restriction' : 'Restrict processing'}
        </button>
      )}
      <p aria-live="polite" className={done ? 'notice-ok' : undefined}>{done}</p>
      <ErrorNotice error={state.error} extensions={state.extensions} />
    </section>
  );
}
