import { RegionName } from '../config';
import { platformScope } from '../db/scope';
import { MoveRegion, RegionDirectory, RegionMoveService } from '../regions';
import { Clock } from '../shared/clock';
import { Logger } from '../shared/logger';
import { RegionCell } from './open-region-cell';

/** The region move service over every served region: each region's platform pool, its audit chain, its platform audit trail. */
export function regionMoveService(cells: readonly RegionCell[], directory: RegionDirectory, clock: Clock, log: Logger): RegionMoveService {
  const regions = new Map<RegionName, MoveRegion>(
    cells.map((cell) => [
      cell.region,
      {
        region: cell.region,
        platformPool: cell.platformPool,
        verifyChain: (customerId) => cell.db.run(platformScope(`region move: verify the audit chain of customer ${customerId}`), () => cell.services.audit.verifyChain(customerId)),
        recordPlatformEvent: (action, customerId, details) =>
          cell.db.run(platformScope(`region move: ${action}`), () => cell.services.audit.record({ customerId: null, action, target: { type: 'customer', id: customerId }, details })),
      },
    ]),
  );
  return new RegionMoveService({ directory: directory.pool, regions, clock, log: log.child({ feature: 'regions' }), onDirectoryChanged: () => directory.invalidateAll() });
}
