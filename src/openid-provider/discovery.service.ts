import { claimedIdentifierHtml, claimedIdentifierXrds, claimedIdFor, isClaimableUsername, opIdentifierHtml, opIdentifierXrds } from '../openid';
import { CustomerConfig, customerUrls } from '../customers';

export interface DiscoveryDocument {
  contentType: string;
  body: string;
  /** Yadis `X-XRDS-Location` for HTML answers. */
  xrdsLocation?: string;
}

/**
 * Yadis/HTML discovery documents (OpenID 2.0 §7.3, docs/protocol.md#discovery) for a customer's OP identifier
 * and claimed identifiers. [D] Unknown usernames get the same document as known ones, so discovery
 * never reveals whether an account exists.
 */
export class DiscoveryService {
  constructor(
    /** Customers by slug, cached in the process: a discovery document costs no query. */
    private readonly customers: { bySlug(slug: string): Promise<CustomerConfig | null> },
    private readonly publicUrl: string,
  ) {}

  /** The OP identifier `/c/{slug}/`; null when the customer does not exist. */
  async opIdentifier(slug: string, format: 'xrds' | 'html'): Promise<DiscoveryDocument | null> {
    const customer = await this.customers.bySlug(slug);
    if (!customer) return null;
    const urls = customerUrls(this.publicUrl, customer.slug);
    const xrdsUrl = `${urls.openidIdentifier}?format=xrds`;
    if (format === 'xrds') return { contentType: 'application/xrds+xml; charset=utf-8', body: opIdentifierXrds({ opEndpoint: urls.opEndpoint }) };
    return { contentType: 'text/html; charset=utf-8', body: opIdentifierHtml({ xrdsUrl, title: `${customer.name} OpenID` }), xrdsLocation: xrdsUrl };
  }

  /** A claimed identifier `/c/{slug}/id/{username}`; null when the customer or the name cannot exist. */
  async claimedIdentifier(slug: string, username: string, format: 'xrds' | 'html'): Promise<DiscoveryDocument | null> {
    if (!isClaimableUsername(username)) return null;
    const customer = await this.customers.bySlug(slug);
    if (!customer) return null;
    const urls = customerUrls(this.publicUrl, customer.slug);
    const claimedId = claimedIdFor(urls.openidIdentifier.replace(/\/$/, ''), username);
    const xrdsUrl = `${claimedId}?format=xrds`;
    if (format === 'xrds') {
      return { contentType: 'application/xrds+xml; charset=utf-8', body: claimedIdentifierXrds({ opEndpoint: urls.opEndpoint, localId: claimedId }) };
    }
    return {
      contentType: 'text/html; charset=utf-8',
      body: claimedIdentifierHtml({ opEndpoint: urls.opEndpoint, localId: claimedId, xrdsUrl }),
      xrdsLocation: xrdsUrl,
    };
  }
}
