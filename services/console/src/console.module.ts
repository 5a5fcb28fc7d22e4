import { Module, type DynamicModule } from '@nestjs/common';
import { KeyDirectory } from './console-session.js';
import { PageController } from './inbound/page.controller.js';
import { ProxyController } from './inbound/proxy.controller.js';
import { SessionController } from './inbound/session.controller.js';
import { SettingsController } from './inbound/settings.controller.js';
import {
  CONSOLE_ASSETS,
  CONSOLE_SETTINGS,
  CONSOLE_UPSTREAMS,
  type PageSettings,
  type Upstreams,
} from './upstreams.js';

/** The console: sign-in, the API forwarder, and the single-page app's pages (last: a fallback). */
@Module({})
export class ConsoleModule {
  static with(options: {
    keys: KeyDirectory;
    upstreams: Upstreams;
    assetsDir: string;
    settings: PageSettings;
  }): DynamicModule {
    return {
      module: ConsoleModule,
      controllers: [SessionController, SettingsController, ProxyController, PageController],
      providers: [
        { provide: KeyDirectory, useValue: options.keys },
        { provide: CONSOLE_UPSTREAMS, useValue: options.upstreams },
        { provide: CONSOLE_ASSETS, useValue: options.assetsDir },
        { provide: CONSOLE_SETTINGS, useValue: options.settings },
      ],
    };
  }
}
