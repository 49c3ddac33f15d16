export function OAuthClientsPage() {
  return <h1>OAuthClientsPage</h1>;
}

