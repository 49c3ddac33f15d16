export { ConsentService } from './consent.service';
export type { RecordDecision, ConsentFilter } from './consent.service';
export { ConsentDecision } from './consent-decision.entity';
export { ConsentResolver } from './consent.resolver';
