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

  @Setting({
    env: 'BATON_EMBEDDED_POSTGRES_PORT',
    type: 'int',
    default: 0,
    min: 0,
    max: 65_534,
    description:
      'Also serves the embedded Postgres (PGlite) on a loopback socket, for a client outside the process such as `psql postgres://postgres@127.0.0.1:<port>/postgres`: the `baton` database on this port, `business` on the next. 0 opens no socket. The services in the process reach PGlite through in-memory streams either way.',
  })
  postgresPort!: number;
}
