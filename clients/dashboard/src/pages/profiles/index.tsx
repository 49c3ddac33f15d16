export { DeletionReceiptPage } from './deletion-receipt';
export { ProfileDetailPage } from './profile-detail';
export { ProfilesPage } from './profile-list';
