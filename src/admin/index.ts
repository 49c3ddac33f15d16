export { adminRoutes } from './admin.routes';
export type { AdminRegion, AdminRoutesDeps } from './admin.routes';
export { AdminSessionStore } from './admin-session.store';
export { BOARD_PATH } from './queue-board';
export type { BoardRegion } from './queue-board';
