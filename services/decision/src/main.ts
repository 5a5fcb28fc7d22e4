import { runService } from '@baton/service-kit';
import { decisionService } from './decision.service-definition.js';

await runService(decisionService);
