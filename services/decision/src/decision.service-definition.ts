import { McpConfig, mcpProviders } from '@baton/mcp';
import type { ServiceDefinition } from '@baton/service-kit';
import { DecisionConfig } from './config/decision.config.js';
import { DecisionModule } from './decision.module.js';
import { CreateModelCalls1767225600000 } from './migrations/1767225600000-create-model-calls.migration.js';
import { CreateEndedRuns1795600000000 } from './migrations/1795600000000-create-ended-runs.migration.js';
import { CreateModelAnswers1796900000000 } from './migrations/1796900000000-create-model-answers.migration.js';
import { ModelGateway } from './clients/model-gateway.js';
import { ModelAdmission, admissionLimitsOf } from './clients/model-admission.js';

export const decisionService: ServiceDefinition = {
  name: 'decision',
  version: '0.1.0',
  defaultPort: 3002,
  module: DecisionModule,
  // ended_runs comes from decision's own earlier migration (the kit's DDL, createEndedRunsTable):
  // schemas that ran it keep it in their history, and the kit's CreateEndedRuns1796430000000
  // (a plain CREATE TABLE) would fail on them.
  migrations: [
    CreateModelCalls1767225600000,
    CreateEndedRuns1795600000000,
    CreateModelAnswers1796900000000,
  ],
  settings: [DecisionConfig, McpConfig],
  providers: (context) => {
    const { logger, settings } = context;
    const config = settings(DecisionConfig);
    const model = ModelGateway.fromConfig(config);
    if (!model.configured) {
      logger.warn("no OPENAI_API_KEY: decisions use the workflow's rules only");
    }
    return [
      { provide: ModelGateway, useValue: model },
      { provide: ModelAdmission, useValue: new ModelAdmission(admissionLimitsOf(config)) },
      ...mcpProviders(context, 'decision'),
    ];
  },
};
