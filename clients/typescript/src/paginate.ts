/** The shape every cursor-paginated field of the schema shares. */
export interface Connection<TNode> {
  nodes: readonly TNode[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * Walks a cursor connection: asks for the first page with `after: null`, yields its nodes, then
 * asks again from `endCursor` while `hasNextPage`. Stops early when the consumer breaks out.
 */
export async function* paginate<TResult, TNode>(
  fetchPage: (after: string | null) => Promise<TResult>,
  select: (data: TResult) => Connection<TNode>,
): AsyncGenerator<TNode, void, undefined> {
  let after: string | null = null;
  for (;;) {
    const connection = select(await fetchPage(after));
    yield* connection.nodes;
    if (!connection.pageInfo.hasNextPage) return;
    if (connection.pageInfo.endCursor === null || connection.pageInfo.endCursor === after) {
      // A server bug, not a reason to loop forever.
      throw new Error('the connection says it has a next page but gives no new endCursor');
    }
    after = connection.pageInfo.endCursor;
  }
}
