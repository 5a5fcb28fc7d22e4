import 'reflect-metadata';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigError, loadConfig } from '@baton/config';
import {
  ApiKeysConfig,
  ErrorBodyFilter,
  PinoNestLogger,
  ServiceConfig,
  reportStartFailure,
} from '@baton/service-kit';
import { createLogger, type Logger } from '@baton/telemetry';
import { buildConsoleApp } from './build-console-app.js';
import { ConsoleConfig } from './console.config.js';
import { ConsoleModule } from './console.module.js';
import { KeyDirectory } from './console-session.js';
import { securityHeaders } from './security-headers.js';
import type { Upstreams } from './upstreams.js';

export const CONSOLE_NAME = 'console';
export const CONSOLE_VERSION = '0.1.0';
export const CONSOLE_DEFAULT_PORT = 3006;

export interface ConsoleStartOptions {
  /** The APIs to forward to; else BATON_TRIGGER_URL and BATON_ESCALATION_URL. */
  upstreams?: Upstreams;
  /** The port when BATON_CONSOLE_PORT is unset (embedded mode: its port base + 6). */
  defaultPort?: number;
}

export interface RunningConsole {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the console: reads its settings (a bad one is reported, naming it, and thrown as a
 * StartFailure, as a service's start failure is), builds
 * the single-page app into a directory of its own (or takes it built, BATON_CONSOLE_ASSETS_DIR),
 * and serves it with the sign-in and the API forwarder. It holds no database and no broker: it is a client of the services' HTTP APIs.
 */
export async function startConsole(
  env: NodeJS.ProcessEnv,
  options: ConsoleStartOptions = {},
): Promise<RunningConsole> {
  const logger: Logger = createLogger({
    service: CONSOLE_NAME,
    version: CONSOLE_VERSION,
    level: env['LOG_LEVEL'] || 'info',
  });
  // The page built as the console starts goes to a directory of its own, removed at close.
  let built: string | undefined;
  const removeAssets = () => (built ? rm(built, { recursive: true, force: true }) : undefined);
  try {
    const config = loadConfig(ConsoleConfig, env, CONSOLE_NAME);
    const { host } = loadConfig(ServiceConfig, env, CONSOLE_NAME);
    const keys = new KeyDirectory(loadConfig(ApiKeysConfig, env, CONSOLE_NAME).entries);
    if (config.traceUrl && !config.traceUrl.includes('{traceId}'))
      throw new ConfigError(CONSOLE_NAME, [
        `BATON_CONSOLE_TRACE_URL must hold {traceId} where the trace id goes, got ${JSON.stringify(config.traceUrl)}`,
      ]);
    let assetsDir: string;
    if (config.assetsDir) {
      assetsDir = config.assetsDir;
      await access(join(assetsDir, 'index.html')).catch(() => {
        throw new ConfigError(CONSOLE_NAME, [
          `BATON_CONSOLE_ASSETS_DIR: no index.html in ${assetsDir} (npm run build:console writes one)`,
        ]);
      });
    } else {
      built = await mkdtemp(join(tmpdir(), 'baton-console-'));
      assetsDir = built;
      await buildConsoleApp(assetsDir);
    }
    const app = await NestFactory.create<NestExpressApplication>(
      ConsoleModule.with({
        keys,
        upstreams: options.upstreams ?? {
          trigger: config.triggerUrl.replace(/\/$/, ''),
          escalation: config.escalationUrl.replace(/\/$/, ''),
        },
        assetsDir,
        settings: { traceUrl: config.traceUrl || null },
      }),
      // No body parser: forwarded bodies stream through untouched, sign-in reads its own.
      { logger: new PinoNestLogger(logger), bufferLogs: true, bodyParser: false },
    );
    app.disable('x-powered-by');
    app.use(securityHeaders);
    app.useStaticAssets(join(assetsDir, 'assets'), { prefix: '/assets/', index: false });
    app.useGlobalFilters(new ErrorBodyFilter(app.getHttpAdapter(), logger));
    await app.listen(config.port || options.defaultPort || CONSOLE_DEFAULT_PORT, host);
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1');
    logger.info({ url }, 'console started');
    return {
      url,
      close: async () => {
        await app.close();
        await removeAssets();
      },
    };
  } catch (error) {
    await removeAssets();
    return reportStartFailure(error, logger, false);
  }
}
