// The routes (admin.routes.ts) are imported by the composition root directly, as every transport's are.
export { AdminSessionStore } from './admin-session.store';
export type { AdminSession } from './admin-session.store';
export { BOARD_PATH } from './queue-board';
export type { BoardRegion } from './queue-board';
