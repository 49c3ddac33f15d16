export { IdentityFlowService, hashRequestId } from './identity-flow.service';
export type { IdentityFlowSettings } from './identity-flow.service';
export { identityFlowRoutes } from './identity-flow.routes';
export { AuthRequestStatus } from './auth-request.state';
export { AuthRequestQueries } from './auth-request.query';
export { deleteRetiredAuthRequests } from './auth-request.repository';
