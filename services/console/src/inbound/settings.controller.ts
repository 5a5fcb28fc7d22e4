import { Controller, Get, Inject } from '@nestjs/common';
import { CONSOLE_SETTINGS, type PageSettings } from '../upstreams.js';

/** What the page needs to know of the console's settings (nothing secret). */
@Controller('api/settings')
export class SettingsController {
  constructor(@Inject(CONSOLE_SETTINGS) private readonly settings: PageSettings) {}

  @Get()
  get(): PageSettings {
    return this.settings;
  }
}
