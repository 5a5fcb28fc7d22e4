import { settingsOf, type SettingMetadata } from './setting.decorator.js';

/** A config that cannot start the service; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration for ${service}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads a typed config class from the environment, validated at boot: every problem is
 * collected and reported at once, each naming its variable.
 */
export function loadConfig<T extends object>(
  cls: new () => T,
  env: NodeJS.ProcessEnv = process.env,
  service: string = cls.name,
): T {
  const config = new cls() as Record<string, unknown>;
  const problems: string[] = [];
  for (const setting of settingsOf(cls)) {
    const raw = env[setting.env];
    if (raw === undefined || raw === '') {
      if (setting.default === undefined)
        problems.push(`${setting.env} is required: ${setting.description}`);
      else config[setting.property] = setting.default;
      continue;
    }
    const parsed = parse(setting, raw);
    if ('error' in parsed) problems.push(`${setting.env} ${parsed.error}`);
    else config[setting.property] = parsed.value;
  }
  if (problems.length) throw new ConfigError(service, problems);
  return config as T;
}

function parse(
  setting: SettingMetadata,
  raw: string,
): { value: string | number | boolean | string[] } | { error: string } {
  const shown = setting.secret ? '<secret>' : JSON.stringify(raw);
  switch (setting.type) {
    case 'string':
      return { value: raw };
    case 'url':
      try {
        new URL(raw);
        return { value: raw };
      } catch {
        return { error: `must be a URL, got ${shown}` };
      }
    case 'list':
      return {
        value: raw
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean),
      };
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(raw)) return { value: true };
      if (/^(false|0|no|off)$/i.test(raw)) return { value: false };
      return { error: `must be true or false, got ${shown}` };
    case 'int':
    case 'number': {
      const value = Number(raw);
      if (!Number.isFinite(value) || (setting.type === 'int' && !Number.isInteger(value))) {
        return {
          error: `must be ${setting.type === 'int' ? 'a whole number' : 'a number'}, got ${shown}`,
        };
      }
      if (setting.min !== undefined && value < setting.min)
        return { error: `must be at least ${setting.min}, got ${value}` };
      if (setting.max !== undefined && value > setting.max)
        return { error: `must be at most ${setting.max}, got ${value}` };
      return { value };
    }
  }
}

/** The settings table for docs and `--help`: variable, default, description. */
export function describeSettings(cls: abstract new () => object): string {
  const rows = settingsOf(cls).map((s) => {
    const shown = Array.isArray(s.default) ? s.default.join(',') : String(s.default);
    const fallback =
      s.default === undefined ? '*(required)*' : shown === '' ? '*(empty)*' : `\`${shown}\``;
    return `| \`${s.env}\` | ${fallback} | ${s.description}${s.secret ? ' **Secret.**' : ''} |`;
  });
  return ['| Variable | Default | What it does |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The config as it may be logged: secrets replaced. */
export function redactedConfig(
  cls: abstract new () => object,
  config: object,
): Record<string, unknown> {
  const values = config as Record<string, unknown>;
  return Object.fromEntries(
    settingsOf(cls).map((s) => [s.env, s.secret ? '<secret>' : values[s.property]]),
  );
}
