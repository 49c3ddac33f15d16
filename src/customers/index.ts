export { CustomerService } from './customer.service';
export type { CreateCustomerCommand, UpdateCustomerCommand, CustomerWithKey } from './customer.service';
export { CustomerResolver } from './customer.resolver';
export { Customer, Region, PromptPolicy, ReturnToVerification } from './customer.entity';
export { customerUrls } from './customer.type';
export { CustomerNotFoundError, SlugTakenError } from './customer.errors';
