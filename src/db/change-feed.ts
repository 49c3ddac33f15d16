import { Client } from 'pg';
import { Logger } from '../shared/logger';

/** The channel the LoginSteps migration's triggers notify on. */
export const CHANGES_CHANNEL = 'ids_changes';

/**
 * What changed, as the triggers say it: `customer` (any customer row), `association:<customer id>`
 * (a shared association deleted), `association:*`; and `reset` when the feed (re)connects, since
 * notifications sent while it was away are lost.
 */
export type ChangeListener = (change: string) => void;

/**
 * Change notifications from PostgreSQL (`LISTEN ids_changes`) for the in-process caches of every
 * instance: a customer edited or offboarded, or a shared association deleted, on any instance
 * reaches the others' caches within milliseconds. One dedicated connection; on a lost connection it
 * reconnects (every `retryMs`) and tells listeners to drop everything, so a missed notification can
 * never keep a stale entry beyond the cache's own maximum age.
 *
 * It needs a session of its own: through a pooler in transaction mode (PgBouncer's default),
 * LISTEN silently receives nothing, and only the maximum age bounds staleness. Give DATABASE_URL a
 * direct or session-mode connection.
 */
export class ChangeFeed {
  private client: Client | null = null;
  private readonly listeners: ChangeListener[] = [];
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly retryMs = 1000,
    /** The channel listened on: the service's changes, or the customer directory's (`ids_directory`). */
    private readonly channel = CHANGES_CHANNEL,
  ) {}

  /** Calls `listener` with every change from now on; the function returned stops that. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  /** Connects and listens; resolves once listening, rejects when the first connection fails. */
  async start(): Promise<void> {
    const client = new Client({ connectionString: this.url });
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.emit(message.payload ?? 'reset');
    });
    client.on('error', (err) => {
      this.log.warn({ err }, 'change feed connection lost; caches are dropped until it is back');
      void this.lost(client);
    });
    client.on('end', () => void this.lost(client));
    await client.connect();
    await client.query(`listen ${this.channel}`);
    if (this.closed) {
      // Closed while this (re)connection was under way: nobody listens any more.
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    // Whatever changed before this connection listened is unknown: start clean.
    this.emit('reset');
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }

  private async lost(client: Client): Promise<void> {
    if (this.client !== client) return;
    this.client = null;
    this.emit('reset');
    client.removeAllListeners('notification');
    await client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.closed) return;
      this.start().catch((err: unknown) => {
        this.log.warn({ err }, 'change feed could not reconnect; retrying');
        this.scheduleReconnect();
      });
    }, this.retryMs);
    this.retry.unref();
  }

  private emit(change: string): void {
    for (const listener of this.listeners) listener(change);
  }
}
