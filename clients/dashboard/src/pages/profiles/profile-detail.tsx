import { Fragment, useCallback } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { DateTime } from '../../components/date-time';
import { useCustomerId } from '../../components/route-params';
import { Empty, ErrorNotice, Loading, RoleNote } from '../../components/states';
import { DashboardProfileDocument } from '../../generated/graphql';
import { useCan } from '../../session-context';
import { ConsentDecisions } from './consent-decisions';
import { DeleteProfile } from './delete-profile';
import { ExportPanel } from './export-panel';
import { canExport, fieldVariables, hiddenFieldLabels, PROFILE_FIELDS } from './fields';
import { profileName } from './profile-list';
import { RestrictionPanel } from './restriction-panel';

/**
 * `/c/:customerId/profiles/:profileId`: one person's profile with what the role may do about it:
 * restrict processing, revoke consent decisions, export, erase. Each part is left out, with a
 * note, for a role without its scope.
 */
export function ProfileDetailPage() {
  const customerId = useCustomerId();
  const { profileId = '' } = useParams();
  const can = useCan();
  const withConsents = can('consents:read');
  const variables = { id: profileId, ...fieldVariables(can), withConsents, withConsentPersonal: can('consents.personal') };
  const [result, reexecute] = useQuery({ query: DashboardProfileDocument, variables });
  const refresh = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  const profiles = `/c/${encodeURIComponent(customerId)}/profiles`;
  const profile = result.data?.profile;

  if (result.fetching && !result.data) return <><h1>Profile</h1><Loading what="the profile" /></>;
  if (result.error && !result.data) {
    return (
      <>
        <h1>Profile</h1>
        <ErrorNotice error={result.error} extensions={result.extensions} />
        <p><Link to={profiles}>Back to profiles</Link></p>
      </>
    );
  }
  // A profile of another customer is treated as missing here, even for a platform-wide operator.
  if (!profile || profile.customerId !== customerId) {
    return (
      <>
        <h1>Profile not found</h1>
        <Empty>There is no profile with this id for this customer: it may have been erased, or belong to another customer.</Empty>
        <p><Link to={profiles}>Back to profiles</Link></p>
      </>
    );
  }

  const hidden = hiddenFieldLabels(can);
  const values = profile as Record<string, unknown>;
  return (
    <>
      <h1>Profile: {profileName(profile)}</h1>
      <p><Link to={profiles}>Back to profiles</Link></p>
      <ErrorNotice error={result.error} extensions={result.extensions} />
      <section aria-labelledby="profile-details">
        <h2 id="profile-details">Details</h2>
        {profile.isRestricted && (
          <RoleNote>Processing of this profile is restricted: only its id and the restriction are shown, and nothing is released to sites.</RoleNote>
        )}
        <dl className="details">
          <dt>Id</dt>
          <dd><code>{profile.id}</code></dd>
          {!profile.isRestricted && (
            <>
              <dt>Username</dt>
              <dd>{profile.username ?? <span className="muted">—</span>}</dd>
              {PROFILE_FIELDS.filter(({ field }) => can(`profile.${field}`)).map(({ field, label }) => (
                <Fragment key={field}>
                  <dt>{label}</dt>
                  <dd data-field={field}>{typeof values[field] === 'string' ? (values[field] as string) : <span className="muted">—</span>}</dd>
                </Fragment>
              ))}
              <dt>First recorded</dt>
              <dd><DateTime value={profile.createdAt} /></dd>
              <dt>Last changed</dt>
              <dd><DateTime value={profile.updatedAt} /></dd>
              <dt>Last seen</dt>
              <dd><DateTime value={profile.lastSeenAt} /></dd>
            </>
          )}
        </dl>
        {hidden.length > 0 && <RoleNote>Your role does not include these profile fields, so they are left out: {hidden.join(', ')}.</RoleNote>}
      </section>
      <RestrictionPanel profile={profile} onChanged={refresh} />
      {withConsents ? (
        <ConsentDecisions profile={profile} decisions={profile.consentDecisions ?? []} onChanged={refresh} />
      ) : (
        <section aria-labelledby="profile-consents">
          <h2 id="profile-consents">Consent decisions</h2>
          <RoleNote>Your role does not include consent decisions: they are left out.</RoleNote>
        </section>
      )}
      {canExport(can) && <ExportPanel profileId={profile.id} isRestricted={profile.isRestricted} />}
      {can('profiles:delete') && <DeleteProfile profile={profile} />}
    </>
  );
}
