import { runService } from '@baton/service-kit';
import { validationService } from './validation.service-definition.js';

await runService(validationService);
