import { readFileSync } from 'node:fs';
import { allTopics, topicNames } from '@baton/contracts';
import { parseApiKeys, sha256 } from '@baton/service-kit';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

// docker-compose.yml read as Compose reads it (YAML merge keys, `${VAR:-default}` with an empty
// environment), checked against what the code reads: there is no Docker on the machines the
// tests run on, so this is what says the stack is wired right.
const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

interface ComposeService {
  profiles?: string[];
  build?: { target?: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const SERVICES = ['trigger', 'context', 'decision', 'action', 'validation', 'escalation'];

/** Compose's interpolation with nothing set in the shell or .env: the defaults. */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g, (_, _name, fallback = '') => fallback);
}
const environment = (service: string): Record<string, string> =>
  Object.fromEntries(
    Object.entries(compose.services[service]!.environment ?? {}).map(([name, value]) => [
      name,
      interpolate(value ?? ''),
    ]),
  );

/**
 * The variables each service reads, from docs/settings.md (generated from the config classes and
 * checked against them): a section is for every service, or for those its title names
 * ("trigger and escalation: API keys", "decision: the model"); embedded mode, the local broker
 * and the tests are no service's.
 */
function settingsBy(): Map<string, Set<string>> {
  const byService = new Map(SERVICES.map((service) => [service, new Set<string>()]));
  let readers: string[] = [];
  for (const line of read('docs/settings.md').split('\n')) {
    const heading = /^## (.+)$/.exec(line);
    if (heading) {
      const title = heading[1]!;
      readers = /^(Every service|Telemetry)/.test(title)
        ? SERVICES
        : title
            .split(':')[0]!
            .split(' and ')
            .filter((name) => SERVICES.includes(name));
      continue;
    }
    const setting = /^\| `([A-Z0-9_]+)` \|/.exec(line);
    if (setting) for (const service of readers) byService.get(service)!.add(setting[1]!);
  }
  return byService;
}

describe('docker-compose.yml', () => {
  it('sets each service only variables that service reads (docs/settings.md)', () => {
    const settings = settingsBy();
    expect(settings.get('decision')).toContain('OPENAI_API_KEY');
    expect(settings.get('trigger')).toContain('BATON_API_KEYS');
    for (const service of SERVICES) {
      const unread = Object.keys(environment(service)).filter(
        (name) => !settings.get(service)!.has(name),
      );
      expect(unread, `${service} is given variables it does not read`).toEqual([]);
    }
  });

  it('gives every service the database, the broker and a signing key the services accept', () => {
    for (const service of SERVICES) {
      const env = environment(service);
      expect(env['DATABASE_URL'], service).toBe('postgres://baton:baton@postgres:5432/baton');
      expect(env['KAFKA_BROKERS'], service).toBe('kafka:29092');
      // Required with Kafka, at least 32 characters, the same for all six.
      expect(env['BATON_SIGNING_KEY']!.length, service).toBeGreaterThanOrEqual(32);
      expect(env['BATON_SIGNING_KEY']).toBe(environment('trigger')['BATON_SIGNING_KEY']);
    }
  });

  it('grants the keys of deploy/compose-keys.env (the names .baton/dev-keys.env uses) on trigger and escalation', () => {
    const keys = Object.fromEntries(
      read('deploy/compose-keys.env')
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => line.split('=') as [string, string]),
    );
    expect(Object.keys(keys).sort()).toEqual([
      'BATON_API_KEY',
      'BATON_PUBLISHER_KEY',
      'BATON_REVIEWER_KEY',
    ]);
    const roleOf = {
      BATON_API_KEY: 'admin',
      BATON_REVIEWER_KEY: 'reviewer',
      BATON_PUBLISHER_KEY: 'publisher',
    };
    for (const service of ['trigger', 'escalation']) {
      const granted = parseApiKeys(environment(service)['BATON_API_KEYS']!.split(','), service);
      for (const [name, key] of Object.entries(keys)) {
        const entry = granted.find((g) => g.hash.equals(sha256(key)));
        expect(entry?.role, `${service}: ${name}`).toBe(roleOf[name as keyof typeof roleOf]);
      }
    }
  });

  it('seeds the demo data with `npm run seed:demo` before any service starts', () => {
    const seeder = compose.services['demo-data']!;
    expect(seeder.command).toEqual(['npm', 'run', '-s', 'seed:demo']);
    expect(seeder.build?.target).toBe('build');
    expect(interpolate(seeder.environment!['DATABASE_URL']!)).toBe(
      environment('trigger')['DATABASE_URL'],
    );
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> })
      .scripts;
    expect(scripts['seed:demo']).toContain('tools/seed-demo-data.ts');
    expect(read('deploy/docker/Dockerfile')).toMatch(/^FROM base AS build$/m);
    for (const service of SERVICES) {
      expect(compose.services[service]!.depends_on?.['demo-data'], service).toEqual({
        condition: 'service_completed_successfully',
      });
      expect(compose.services[service]!.profiles).toEqual(['services']);
    }
    expect(seeder.profiles).toEqual(['services']);
  });

  it('serves the console in front of trigger and escalation, with their keys, given only what it reads', () => {
    const consoleService = compose.services['console']!;
    expect(consoleService.profiles).toEqual(['services']);
    const env = environment('console');
    // The console section of docs/settings.md, and what that section says it reads besides.
    const section = read('docs/settings.md').split('\n## console\n')[1]!.split('\n## ')[0]!;
    const documented = new Set([
      ...[...section.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]!),
      'BATON_API_KEYS',
      'HOST',
      'LOG_LEVEL',
    ]);
    expect(documented).toContain('BATON_CONSOLE_ASSETS_DIR');
    expect(Object.keys(env).filter((name) => !documented.has(name))).toEqual([]);
    expect(env['BATON_TRIGGER_URL']).toBe(`http://trigger:${environment('trigger')['PORT']}`);
    expect(env['BATON_ESCALATION_URL']).toBe(
      `http://escalation:${environment('escalation')['PORT']}`,
    );
    expect(env['BATON_API_KEYS']).toBe(environment('trigger')['BATON_API_KEYS']);
    expect(env['BATON_CONSOLE_TRACE_URL']).toContain('{traceId}');
    // The image builds the page and points the console at it.
    const dockerfile = read('deploy/docker/Dockerfile');
    expect(dockerfile).toContain('npm run -s build:console dist/console-web');
    expect(dockerfile).toContain('BATON_CONSOLE_ASSETS_DIR=/app/console-web');
    expect(dockerfile).toMatch(/\| escalation \| console\)/);
  });

  it('creates every topic Baton uses (allTopics)', () => {
    const script = compose.services['topics']!.entrypoint!.at(-1)!;
    const sources = /sources=\(([^)]*)\)/.exec(script)![1]!.trim().split(/\s+/);
    expect(script).toContain('create "$$topic.dlq"');
    expect(script).toContain('create baton.workflow.definitions --config cleanup.policy=compact');
    expect(
      [...sources, ...sources.map((topic) => `${topic}.dlq`), 'baton.workflow.definitions'].sort(),
    ).toEqual(allTopics(topicNames('baton.')).sort());
  });
});
