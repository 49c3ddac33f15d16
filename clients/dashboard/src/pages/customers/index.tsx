export function CustomersPage() {
  return <h1>CustomersPage</h1>;
}

export function CustomerSettingsPage() {
  return <h1>CustomerSettingsPage</h1>;
}

