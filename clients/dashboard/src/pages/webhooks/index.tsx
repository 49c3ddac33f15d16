export { WebhooksPage } from './endpoints-page';
export { WebhookEndpointPage } from './endpoint-page';
