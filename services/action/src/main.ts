import { runService } from '@baton/service-kit';
import { actionService } from './action.service-definition.js';

await runService(actionService);
