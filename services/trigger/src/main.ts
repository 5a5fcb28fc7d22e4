import { runService } from '@baton/service-kit';
import { triggerService } from './trigger.service-definition.js';

await runService(triggerService);
