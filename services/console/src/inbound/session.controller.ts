import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BadRequestException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Post,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import type { Principal } from '@baton/service-kit';
import { KeyDirectory, endedSessionCookie, keyOf, sessionCookie } from '../console-session.js';
import { readJson } from './read-body.js';
import { requireConsoleHeader } from './console-header.js';

/** An API key is a few dozen characters; anything much longer is not one. */
const SIGN_IN_BODY_LIMIT = 4096;

/** Sign-in with an API key, who is signed in, sign-out. */
@Controller('api/session')
export class SessionController {
  constructor(private readonly keys: KeyDirectory) {}

  @Get()
  current(@Req() request: IncomingMessage): Principal {
    const key = keyOf(request);
    const principal = key && this.keys.whoIs(key);
    if (!principal) throw new UnauthorizedException('not signed in');
    return principal;
  }

  @Post()
  @HttpCode(200)
  async signIn(
    @Req() request: IncomingMessage,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<Principal> {
    requireConsoleHeader(request);
    const body = await readJson(request, SIGN_IN_BODY_LIMIT);
    const key = (body as { key?: unknown } | null)?.key;
    if (typeof key !== 'string' || key.trim() === '')
      throw new BadRequestException({
        statusCode: 400,
        error: 'invalid-request',
        message: 'key: an API key is required',
        problems: ['key: an API key is required'],
      });
    const principal = this.keys.whoIs(key.trim());
    if (!principal) throw new UnauthorizedException('this API key is not known to Baton');
    response.setHeader('set-cookie', sessionCookie(request, key.trim()));
    return principal;
  }

  @Delete()
  @HttpCode(204)
  signOut(
    @Req() request: IncomingMessage,
    @Res({ passthrough: true }) response: ServerResponse,
  ): void {
    requireConsoleHeader(request);
    response.setHeader('set-cookie', endedSessionCookie(request));
  }
}
