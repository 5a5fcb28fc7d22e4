import { describe, expect, it } from 'vitest';
import { ConfigError, describeSettings, loadConfig, redactedConfig } from './load-config.js';
import { Setting } from './setting.decorator.js';

class ExampleConfig {
  @Setting({ env: 'EXAMPLE_URL', type: 'url', description: 'Where to connect.' })
  url!: string;
  @Setting({
    env: 'EXAMPLE_LIMIT',
    type: 'int',
    description: 'In-flight limit.',
    default: 50,
    min: 1,
  })
  limit!: number;
  @Setting({ env: 'EXAMPLE_HOSTS', type: 'list', description: 'Hosts.', default: ['a'] })
  hosts!: string[];
  @Setting({
    env: 'EXAMPLE_TOKEN',
    type: 'string',
    description: 'API token.',
    secret: true,
    default: '',
  })
  token!: string;
}

describe(loadConfig.name, () => {
  it('reads typed values and applies defaults', () => {
    const config = loadConfig(ExampleConfig, {
      EXAMPLE_URL: 'postgres://x/y',
      EXAMPLE_HOSTS: 'b, c',
    });
    expect(config).toEqual({ url: 'postgres://x/y', limit: 50, hosts: ['b', 'c'], token: '' });
  });

  it('reports every bad variable at once, by name', () => {
    let error: unknown;
    try {
      loadConfig(ExampleConfig, { EXAMPLE_LIMIT: '0' }, 'example');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'EXAMPLE_URL is required: Where to connect.',
      'EXAMPLE_LIMIT must be at least 1, got 0',
    ]);
  });

  it('never shows a secret value', () => {
    const config = loadConfig(ExampleConfig, { EXAMPLE_URL: 'http://h', EXAMPLE_TOKEN: 's3cr3t' });
    expect(JSON.stringify(redactedConfig(ExampleConfig, config))).not.toContain('s3cr3t');
    expect(describeSettings(ExampleConfig)).toContain(
      '| `EXAMPLE_TOKEN` | *(empty)* | API token. **Secret.** |',
    );
  });
});
