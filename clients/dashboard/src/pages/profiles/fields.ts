/** The personal fields of a profile, each readable only with its `profile.<field>` scope, in display order. */
export const PROFILE_FIELDS = [
  { field: 'nickname', label: 'Nickname' },
  { field: 'email', label: 'Email' },
  { field: 'fullname', label: 'Full name' },
  { field: 'dob', label: 'Date of birth' },
  { field: 'gender', label: 'Gender' },
  { field: 'postcode', label: 'Postcode' },
  { field: 'country', label: 'Country' },
  { field: 'language', label: 'Language' },
  { field: 'timezone', label: 'Time zone' },
] as const;

export type ProfileField = (typeof PROFILE_FIELDS)[number]['field'];

/** `withNickname`, `withEmail`, …: the document's variables that ask only for the fields the role may read. */
export function fieldVariables(can: (scope: string) => boolean): Record<`with${Capitalize<ProfileField>}`, boolean> {
  const entries = PROFILE_FIELDS.map(({ field }) => [`with${field[0]!.toUpperCase()}${field.slice(1)}`, can(`profile.${field}`)]);
  return Object.fromEntries(entries) as Record<`with${Capitalize<ProfileField>}`, boolean>;
}

/** The labels of the fields the role may not read, for the note that says they are left out. */
export function hiddenFieldLabels(can: (scope: string) => boolean): string[] {
  return PROFILE_FIELDS.filter(({ field }) => !can(`profile.${field}`)).map(({ label }) => label.toLowerCase());
}

/** Every field scope: what an export (the whole person) needs besides `profiles:read`. */
export function canExport(can: (scope: string) => boolean): boolean {
  return can('profiles:read') && PROFILE_FIELDS.every(({ field }) => can(`profile.${field}`));
}
