import { insertionOrder } from '../../../src/regions/customer-data.sql';

describe("a move's table order", () => {
  const tables = [['child', 'customer_id'], ['customer', 'id'], ['grandchild', 'customer_id'], ['other', 'customer_id']] as const;

  it('puts every table after the tables its foreign keys point to, and keeps list order otherwise', () => {
    const edges = [
      { child: 'child', parent: 'customer' },
      { child: 'grandchild', parent: 'child' },
      { child: 'grandchild', parent: 'customer' },
      { child: 'purge_run', parent: 'customer' }, // not a tenant table: ignored
    ];
    expect(insertionOrder(tables, edges).map(([t]) => t)).toEqual(['customer', 'child', 'grandchild', 'other']);
  });

  it('refuses foreign keys in a cycle, naming the tables', () => {
    const edges = [
      { child: 'child', parent: 'grandchild' },
      { child: 'grandchild', parent: 'child' },
    ];
    expect(() => insertionOrder(tables, edges)).toThrow(/cycle among: child, grandchild/);
  });
});
