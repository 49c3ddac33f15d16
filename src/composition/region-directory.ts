import { Config } from '../config';
import { ChangeFeed } from '../db/change-feed';
import { createSqlPool } from '../db/sql-pool';
import { SERVICE_QUERY_TIMEOUT_MS } from '../db/open-database';
import { DIRECTORY_CHANNEL } from '../db/migrations/Migration20261203110000CustomerDirectory';
import { addMissingEntries, checkDirectory, RegionDirectory, regionCustomers, relabelCustomers } from '../regions';
import { Clock } from '../shared/clock';
import { Logger } from '../shared/logger';
import { describeCause, redactUrl, StartupError } from '../shared/startup-error';
import { RegionCell } from './open-region-cell';

/** Directory entries each instance keeps in memory at most. */
const DIRECTORY_CACHE_ENTRIES = 20_000;

/** Opens the customer directory's pool and its change feed (DIRECTORY_DATABASE_URL). */
export async function openRegionDirectory(config: Config, clock: Clock, log: Logger): Promise<{ directory: RegionDirectory; close: () => Promise<void> }> {
  const pool = createSqlPool(config.DIRECTORY_DATABASE_URL, 4, SERVICE_QUERY_TIMEOUT_MS, log.child({ feature: 'directory' }));
  const feed = new ChangeFeed(config.DIRECTORY_DATABASE_URL, log.child({ feature: 'directory' }), 1000, DIRECTORY_CHANNEL);
  const directory = new RegionDirectory(pool, clock, { maxAgeMs: config.CONFIG_CACHE_MAX_AGE_SECONDS * 1000, maxEntries: DIRECTORY_CACHE_ENTRIES });
  directory.follow(feed);
  const close = async () => {
    await feed.close();
    await pool.end();
  };
  try {
    await feed.start();
    await checkDirectory(pool);
  } catch (err) {
    await close();
    throw new StartupError(
      `the customer directory is not usable at ${redactUrl(config.DIRECTORY_DATABASE_URL)} (${describeCause(err)}); point DIRECTORY_DATABASE_URL at a migrated database of the platform (by default the home region's)`,
    );
  }
  return { directory, close };
}

/**
 * Adds to the directory every customer a served region holds that it lacks: on the first start after
 * the upgrade, every existing customer is entered in the region its data is in (which is the home
 * region's database for a deployment that had one). A slug held by another customer elsewhere is
 * logged: that customer cannot be routed until one of them is renamed or moved. A customer row
 * labelled with another region than its database's is relabelled (the label was never enforced).
 */
export async function reconcileDirectory(directory: RegionDirectory, cells: readonly RegionCell[], log: Logger): Promise<void> {
  for (const cell of cells) {
    const relabelled = await relabelCustomers(cell.platformPool, cell.region);
    if (relabelled.length > 0) log.warn({ region: cell.region, customers: relabelled }, 'customers labelled with another region than the one holding their data now say where it is stored; move them with moveCustomerRegion if they belong elsewhere');
    const conflicts = await addMissingEntries(directory.pool, cell.region, await regionCustomers(cell.platformPool));
    if (conflicts.length > 0) log.error({ region: cell.region, slugs: conflicts }, 'customers whose slug another region\'s customer holds in the directory');
  }
  directory.invalidateAll();
}
