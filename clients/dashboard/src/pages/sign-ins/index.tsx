export function SignInsPage() {
  return <h1>SignInsPage</h1>;
}

export function SignInDetailPage() {
  return <h1>SignInDetailPage</h1>;
}

