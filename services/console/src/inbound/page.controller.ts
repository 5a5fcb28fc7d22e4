import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Inject, NotFoundException, Req, Res } from '@nestjs/common';
import { CONSOLE_ASSETS } from '../upstreams.js';

/**
 * Every other GET is a page of the single-page app (`/`, `/inbox`, `/tasks/…`): the same
 * index.html, whose script shows the page the address names. Its assets are served as files
 * (`/assets/…`) before any route is tried.
 */
@Controller()
export class PageController {
  constructor(@Inject(CONSOLE_ASSETS) private readonly assetsDir: string) {}

  @Get('health/live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get(['', '*path'])
  page(
    @Req() request: IncomingMessage,
    @Res() response: ServerResponse & { sendFile(path: string): void },
  ): void {
    const path = (request.url ?? '/').split('?')[0]!;
    if (path.startsWith('/api/') || path.startsWith('/assets/'))
      throw new NotFoundException(`Cannot GET ${path}`);
    response.setHeader('cache-control', 'no-store');
    response.sendFile(join(this.assetsDir, 'index.html'));
  }
}
