// The OpenAPI document of every service's HTTP API and the AsyncAPI document of every topic,
// as `npm run docs:generate` writes them to docs/schemas/ (tested in api-documents.spec.ts).
import { asyncApiDocument } from '@baton/messaging';
import { servicesApiDocument } from '@baton/service-kit';
import { actionService } from '../services/action/src/action.service-definition.js';
import { contextService } from '../services/context/src/context.service-definition.js';
import { decisionService } from '../services/decision/src/decision.service-definition.js';
import { escalationService } from '../services/escalation/src/escalation.service-definition.js';
import { triggerService } from '../services/trigger/src/trigger.service-definition.js';
import { validationService } from '../services/validation/src/validation.service-definition.js';

export const OPENAPI_FILE = 'openapi.json';

/** The six services, by port. */
export const SERVICES = [
  triggerService,
  contextService,
  decisionService,
  actionService,
  validationService,
  escalationService,
];

export function openApiDocumentOfServices(): Promise<Record<string, unknown>> {
  return servicesApiDocument(SERVICES);
}

export const ASYNCAPI_FILE = 'asyncapi.json';

export function asyncApiDocumentOfTopics(): Record<string, unknown> {
  return asyncApiDocument(triggerService.version);
}
