import { describe, expect, it } from 'vitest';
import { postgresAddress, startBanner, type StartBannerInput } from './start-banner.js';

const input = (over: Partial<StartBannerInput> = {}): StartBannerInput => ({
  seconds: 31.24,
  transport: 'in-process',
  data: { baton: { store: 'pglite' }, business: { store: 'pglite' } },
  model: { apiKey: false },
  triggerUrl: 'http://127.0.0.1:3000',
  escalationUrl: 'http://127.0.0.1:3005',
  metricsUrl: 'http://127.0.0.1:9464/metrics',
  keys: { publisher: 'pub-key', reviewer: 'rev-key', admin: 'adm-key' },
  keysFile: '.baton/dev-keys.env',
  ...over,
});
const lines = (banner: string) => banner.split('\n');

describe(startBanner.name, () => {
  it('says everything is in memory with no settings: PGlite and the in-process transport', () => {
    const banner = startBanner(input());
    expect(lines(banner).slice(1, 6)).toEqual([
      'Baton is up in 31.2 s: six services in one process, in-process transport, embedded Postgres (PGlite, in memory).',
      '  runs and tasks  embedded Postgres (PGlite, in memory): gone when Baton stops (BATON_EMBEDDED_DATA_DIR keeps them)',
      "  business data   embedded Postgres (PGlite, in memory): the example workflows' demo data",
      '  messages        in-process transport (in memory): a run between two steps when Baton stops does not resume',
      "Model: no OPENAI_API_KEY: decisions use the workflows' rules only (free text goes to review).",
    ]);
    expect(banner).toContain('  publisher key   pub-key');
    expect(banner).toContain(
      `curl -s -X POST http://127.0.0.1:3000/v1/triggers -H 'authorization: Bearer pub-key'`,
    );
    expect(banner).not.toContain('--trigger-url');
  });

  it('says where the metrics, the API docs and the outcome stats are', () => {
    const banner = startBanner(input());
    expect(banner).toContain(
      '  API docs        http://127.0.0.1:3000/docs  http://127.0.0.1:3005/docs  (OpenAPI, no key)\n',
    );
    expect(banner).toContain(
      '  metrics         http://127.0.0.1:9464/metrics  (Prometheus, no key)\n',
    );
    expect(banner).toContain(
      'Outcome stats: npx baton stats  (or GET http://127.0.0.1:3000/v1/stats with the reviewer key)\n',
    );
    expect(startBanner(input({ metricsUrl: undefined }))).toContain(
      '  metrics         off (BATON_METRICS_PORT=0)\n',
    );
  });

  it('says where the console is, when it was started', () => {
    expect(startBanner(input({ consoleUrl: 'http://127.0.0.1:3006' }))).toContain(
      '  console         http://127.0.0.1:3006  (open it in a browser; sign in with a key below)\n',
    );
    expect(startBanner(input())).not.toContain('console ');
  });

  it('names the data directory when PGlite keeps its data on disk', () => {
    const banner = startBanner(
      input({
        data: {
          baton: { store: 'pglite', dataDir: '/srv/baton-data/baton' },
          business: { store: 'pglite', dataDir: '/srv/baton-data/business' },
        },
      }),
    );
    expect(banner).toContain(
      '  runs and tasks  embedded Postgres (PGlite) in /srv/baton-data/baton, kept when Baton stops\n',
    );
    expect(banner).toContain(
      "  business data   embedded Postgres (PGlite) in /srv/baton-data/business: the example workflows' demo data\n",
    );
    expect(banner).not.toContain('PGlite, in memory');
  });

  it('names the Postgres at DATABASE_URL by host and database only, never its credentials, and Kafka', () => {
    const url = 'postgres://baton:s3cret@db.internal:6543/baton_prod?sslmode=require';
    const banner = startBanner(
      input({
        transport: 'kafka',
        kafkaBrokers: '10.0.0.5:9092,10.0.0.6:9092',
        data: {
          baton: { store: 'postgres', url, setting: 'DATABASE_URL' },
          business: { store: 'postgres', url, setting: 'DATABASE_URL' },
        },
        model: { apiKey: true, baseUrl: 'http://127.0.0.1:8080/v1' },
        triggerUrl: 'http://127.0.0.1:4000',
        escalationUrl: 'http://127.0.0.1:4005',
        metricsUrl: 'http://127.0.0.1:10464/metrics',
      }),
    );
    expect(lines(banner).slice(1, 6)).toEqual([
      'Baton is up in 31.2 s: six services in one process, Kafka at 10.0.0.5:9092,10.0.0.6:9092, Postgres at db.internal:6543/baton_prod (DATABASE_URL).',
      '  runs and tasks  Postgres at db.internal:6543/baton_prod (DATABASE_URL), kept when Baton stops',
      "  business data   Postgres at db.internal:6543/baton_prod (DATABASE_URL): the example workflows' demo data",
      '  messages        Kafka at 10.0.0.5:9092,10.0.0.6:9092 (KAFKA_BROKERS)',
      'Model: decisions ask the model at http://127.0.0.1:8080/v1.',
    ]);
    expect(banner).not.toMatch(/s3cret|baton:|sslmode/);
    expect(banner).not.toContain('in memory');
    expect(banner).toContain(
      'npx baton run <runId> --trigger-url http://127.0.0.1:4000 --escalation-url http://127.0.0.1:4005',
    );
    expect(banner).toContain('http://127.0.0.1:4000/docs  http://127.0.0.1:4005/docs');
    expect(banner).toContain('  metrics         http://127.0.0.1:10464/metrics');
    expect(banner).toContain(
      'npx baton stats --trigger-url http://127.0.0.1:4000 --escalation-url http://127.0.0.1:4005',
    );
  });

  it('names a separate business database, and runs in PGlite beside it', () => {
    const banner = startBanner(
      input({
        data: {
          baton: { store: 'pglite' },
          business: {
            store: 'postgres',
            url: 'postgresql://erp@erp.example:5432/erp',
            setting: 'BUSINESS_DATABASE_URL',
          },
        },
      }),
    );
    expect(banner).toContain(
      'runs and tasks  embedded Postgres (PGlite, in memory): gone when Baton stops',
    );
    expect(banner).toContain(
      "business data   Postgres at erp.example:5432/erp (BUSINESS_DATABASE_URL): the example workflows' demo data",
    );
  });
});

describe(postgresAddress.name, () => {
  it('keeps host, port and database, and drops user, password and parameters', () => {
    expect(postgresAddress('postgres://postgres@127.0.0.1:5432/test')).toBe('127.0.0.1:5432/test');
    expect(postgresAddress('postgresql://u:p%40ss@[::1]:5433/my%20db?ssl=true')).toBe(
      '[::1]:5433/my db',
    );
    expect(postgresAddress('postgres:///test?host=/var/run/postgresql')).toBe(
      '/var/run/postgresql/test',
    );
    expect(postgresAddress('postgres://db.internal')).toBe('db.internal');
  });

  it('shows nothing of an address that is not a Postgres URL', () => {
    expect(postgresAddress('host=db user=baton password=s3cret dbname=baton')).toBeUndefined();
    expect(postgresAddress('mysql://u:p@db/x')).toBeUndefined();
  });
});
