import { BusinessDatabaseConfig } from '@baton/business';
import { Setting } from '@baton/config';

/** Settings of the action service, beside the kit's (messaging, database, process) and the business database's. */
export class ActionConfig extends BusinessDatabaseConfig {
  @Setting({
    env: 'ACTION_TOOL_TIMEOUT_MS',
    type: 'int',
    default: 10_000,
    min: 100,
    max: 300_000,
    description:
      "Longest a tool's statement may run on the business database, milliseconds; Postgres cancels it after that.",
  })
  toolTimeoutMs!: number;
}
