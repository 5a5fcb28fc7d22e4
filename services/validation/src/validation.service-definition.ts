import { CreateEndedRuns1796430000000, type ServiceDefinition } from '@baton/service-kit';
import { ValidationModule } from './validation.module.js';

// Validation keeps only the runs that ended: what it concludes travels in the run's history and
// in the run events (the ledger). The kit adds the inbox and outbox.
export const validationService: ServiceDefinition = {
  name: 'validation',
  version: '0.1.0',
  defaultPort: 3004,
  module: ValidationModule,
  migrations: [CreateEndedRuns1796430000000],
};
