/** The part of a pg `Client` this needs: its `query` method, in any of pg's call forms. */
interface Queryable {
  query: (...args: unknown[]) => unknown;
}

/**
 * Makes a connection run one query at a time in the order asked. GraphQL resolves sibling fields at
 * once, and inside an operation's transaction they all share one connection, so the ORM hands pg a
 * query while another is still running. pg 8 queues it itself but warns that pg 9 will not
 * ("Calling client.query() when the client is already executing a query is deprecated"): this is
 * that queue, on our side of the driver. Each query is handed to pg once the one before has
 * answered, success or failure; pg's own errors and timeouts stay as they are.
 *
 * Callback calls (the form knex uses) and promise calls are queued; a submittable (a cursor or
 * stream object) is handed straight through, as nothing here uses those on shared connections.
 */
export function serializeQueries<T extends Queryable>(client: T): T {
  const query = client.query.bind(client);
  let tail: Promise<void> = Promise.resolve();
  const enqueue = <R>(run: () => Promise<R>): Promise<R> => {
    const result = tail.then(run);
    tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  };
  client.query = (...args: unknown[]): unknown => {
    const last = args.at(-1);
    if (typeof last === 'function') {
      const callback = last as (err: unknown, res?: unknown) => void;
      const head = args.slice(0, -1);
      enqueue(
        () =>
          new Promise<void>((done) => {
            try {
              query(...head, (err: unknown, res: unknown) => {
                done();
                callback(err, res);
              });
            } catch (err) {
              // pg refused the query at once (it threw instead of calling back): the caller is told
              // through its callback, as it would have been by the throw without this queue.
              done();
              callback(err);
            }
          }),
      ).catch(() => undefined);
      return undefined;
    }
    if (typeof (args[0] as { submit?: unknown } | null)?.submit === 'function') return query(...args);
    return enqueue(() => query(...args) as Promise<unknown>);
  };
  return client;
}
