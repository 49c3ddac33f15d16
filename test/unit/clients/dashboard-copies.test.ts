import { WEBHOOK_EVENT_TYPES as DASHBOARD_EVENT_TYPES } from '../../../clients/dashboard/src/pages/webhooks/events';
import { WEBHOOK_EVENT_TYPES } from '../../../src/webhooks/events';

/**
 * The dashboard's copy of the webhook event types (src/webhooks/events.ts imports the profiles
 * feature, which a browser bundle cannot take): the create-endpoint form offers exactly the types
 * the API accepts, in its order.
 */
describe("the dashboard's copies of server lists", () => {
  it('offers exactly the webhook event types the service knows', () => {
    expect([...DASHBOARD_EVENT_TYPES]).toEqual([...WEBHOOK_EVENT_TYPES]);
  });
});
