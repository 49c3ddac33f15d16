import { Customer } from '../customers/customer.entity';
import { CustomerApiKey } from '../customers/customer-api-key.entity';

/** Every entity the ORM knows; each feature's entities are added here. */
export const entities = [Customer, CustomerApiKey];
