export { ConsentService } from './consent.service';
export { subjectKey } from './consent.service';
export type { ConsentFilter, ConsentSubject } from './consent.service';
export { ConsentDecisionType } from './consent-decision.type';
export { ConsentDecision } from './consent-decision.entity';
export type { ConsentDecisionRecord } from './consent-decision.repository';
