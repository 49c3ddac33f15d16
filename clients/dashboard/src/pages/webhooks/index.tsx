export function WebhooksPage() {
  return <h1>WebhooksPage</h1>;
}

export function WebhookEndpointPage() {
  return <h1>WebhookEndpointPage</h1>;
}

