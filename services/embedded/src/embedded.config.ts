import { Setting } from '@baton/config';

/** Settings of the embedded (single-process) mode: `npm start`, `baton dev`. */
export class EmbeddedConfig {
  @Setting({
    env: 'BATON_EMBEDDED_DATA_DIR',
    type: 'string',
    default: '',
    description:
      'Where the embedded Postgres (PGlite) keeps its data, so it survives a restart: `<dir>/baton` (runs, review tasks) and `<dir>/business` (the business data); empty keeps everything in memory. Not used for a database given by URL (DATABASE_URL, BUSINESS_DATABASE_URL). `npm start` says where the data lives.',
  })
  dataDir!: string;

  @Setting({
    env: 'BATON_PORT_BASE',
    type: 'int',
    default: 0,
    min: 0,
    max: 65_530,
    description:
      "First of the six HTTP ports of a local Baton, `npm start` (embedded) and `npm run start:distributed` alike (trigger on it, then context, decision, action, validation, escalation); 0 means the services' default ports 3000–3005.",
  })
  portBase!: number;
}
