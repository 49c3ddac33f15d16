export { CustomersPage } from './customers-list';
export { CustomerSettingsPage } from './settings';
