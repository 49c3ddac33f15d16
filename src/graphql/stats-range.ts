import { registerEnumType } from 'type-graphql';
import { StatsRange } from '../shared/stats-window';

registerEnumType(StatsRange, {
  name: 'StatsRange',
  description: 'The period a dashboard chart covers, in whole UTC hours ending with the current one.',
  valuesConfig: {
    LAST_24_HOURS: { description: 'The current hour and the 23 before it: 24 hourly buckets.' },
    LAST_7_DAYS: { description: 'The current hour and the 167 before it: 168 hourly buckets.' },
  },
});

export { StatsRange };
