import { Logger } from '../shared/logger';
import { ValidationError } from '../shared/errors';
import { AddressRefusedError, OutboundGuard } from '../shared/net/outbound-guard';
import { checkOutboundUrl, OutboundUrlError, UrlPolicy } from '../shared/net/url-policy';

/**
 * Where an endpoint may point: the URL's shape, and every address its host resolves to now
 * (checked again at each delivery, by the OutboundGuard that sends it). Answers the normalised URL.
 */
export async function checkEndpointUrl(raw: string, deps: { policy: UrlPolicy; outbound: OutboundGuard; log: Logger }): Promise<string> {
  let url: URL;
  try {
    url = checkOutboundUrl(raw, deps.policy);
  } catch (err) {
    if (err instanceof OutboundUrlError) throw new ValidationError('url', err.message);
    throw err;
  }
  try {
    await deps.outbound.resolve(url.hostname);
  } catch (err) {
    // One answer whether the name resolves to a refused address or not at all: which names exist
    // in our network, and what they resolve to, is nobody's business (no map of internal DNS).
    if (!(err instanceof AddressRefusedError)) deps.log.debug({ code: (err as NodeJS.ErrnoException).code }, 'webhook host did not resolve');
    throw new ValidationError('url', "url's host does not resolve to an address webhooks may reach (a public address)");
  }
  return url.toString();
}
