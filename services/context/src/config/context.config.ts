import { BusinessDatabaseConfig } from '@baton/business';

/** Settings of the context service, beside the kit's (messaging, database, process): where the business system is. */
export class ContextConfig extends BusinessDatabaseConfig {}
