export function ProfilesPage() {
  return <h1>ProfilesPage</h1>;
}

export function ProfileDetailPage() {
  return <h1>ProfileDetailPage</h1>;
}

