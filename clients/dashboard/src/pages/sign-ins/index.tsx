export { SignInsPage } from './list';
export { SignInDetailPage } from './detail';
