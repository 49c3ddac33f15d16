export function OperatorTokensPage() {
  return <h1>OperatorTokensPage</h1>;
}

