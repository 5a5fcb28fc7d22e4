import { runService } from '@baton/service-kit';
import { contextService } from './context.service-definition.js';

await runService(contextService);
