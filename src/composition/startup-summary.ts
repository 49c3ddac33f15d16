export interface SummaryInput {
  /** Where the HTTP server actually listens (the bound address, so PORT=0 shows the port picked). */
  url: string;
  /** PUBLIC_URL: the base relying parties and AWs are given. */
  publicUrl: string;
  nodeEnv: string;
  /** The generated ADMIN_TOKEN, or null when the operator set one (theirs is never printed). */
  generatedAdminToken: string | null;
}

/**
 * The lines the API role writes once it listens: where to reach it, the development admin token,
 * and what to do next. Plain sentences (the URLs are in the text, not in fields) so the pretty and
 * JSON formats say the same; pure, so what a newcomer sees is tested without starting anything.
 */
export function startupSummary({ url, publicUrl, nodeEnv, generatedAdminToken }: SummaryInput): string[] {
  const openidBase = `${publicUrl}/c/{slug}/`;
  const lines = [
    `GraphQL API: ${url}/graphql`,
    `OpenID endpoints: ${openidBase} per customer (the OpenID 2.0 OP identifier; OpenID Connect discovery at ${openidBase}.well-known/openid-configuration)`,
    `readiness: ${url}/readyz`,
    `queue board: ${url}/admin/queues (platform owners: sign in with an owner token)`,
  ];
  // A token the operator chose is theirs to know; only one generated for a development run is shown.
  if (generatedAdminToken !== null && nodeEnv !== 'production') {
    lines.push(`admin token (development only, new each run; set ADMIN_TOKEN to keep one): ${generatedAdminToken}`);
  }
  lines.push("next: create a customer (README, 'Creating a customer with curl'), or try a whole sign-in with `npm run demo`");
  return lines;
}
