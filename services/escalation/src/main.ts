import { runService } from '@baton/service-kit';
import { escalationService } from './escalation.service-definition.js';

await runService(escalationService);
