import 'reflect-metadata';
import {
  Body,
  Controller,
  Get,
  HttpException,
  Module,
  Post,
  UnauthorizedException,
  type ArgumentsHost,
  type INestApplication,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger } from '@baton/telemetry';
import { firstValueFrom, type Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody } from './error-body.js';
import { ErrorBodyFilter } from './error-body.filter.js';

@Controller()
class ProbeController {
  @Post('echo')
  echo(@Body() body: unknown) {
    return body;
  }
  @Get('refused')
  refused() {
    throw new HttpException(errorBody(409, 'run-ended', 'run r-1 has already ended'), 409);
  }
  @Get('secret')
  secret() {
    throw new UnauthorizedException('a valid API key is required');
  }
  @Get('broken')
  broken() {
    throw new Error('password authentication failed for user "baton"');
  }
  @Get('database-down')
  databaseDown() {
    // What pg throws when the server is restarting (SQLSTATE 57P03), as TypeORM wraps it.
    throw Object.assign(new Error('query failed'), {
      driverError: Object.assign(new Error('the database system is starting up'), {
        code: '57P03',
      }),
    });
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe(ErrorBodyFilter.name, () => {
  const logged: Array<{ fields: Record<string, unknown>; message: string }> = [];
  const logger = {
    error: (fields: Record<string, unknown>, message: string) => logged.push({ fields, message }),
  } as unknown as Logger;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const nest = await NestFactory.create<NestExpressApplication>(ProbeModule, {
      logger: false,
      bodyParser: false,
    });
    nest.useBodyParser('json', { limit: 64 });
    nest.useGlobalFilters(new ErrorBodyFilter(nest.getHttpAdapter(), logger));
    await nest.listen(0, '127.0.0.1');
    app = nest;
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(() => app?.close());

  const call = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${url}${path}`, init);
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const post = (text: string) =>
    call('/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });

  it("answers a service's own exception with its code and problems", async () => {
    expect(await call('/refused')).toEqual({
      status: 409,
      body: {
        statusCode: 409,
        error: 'run-ended',
        message: 'run r-1 has already ended',
        problems: ['run r-1 has already ended'],
      },
    });
  });

  it('answers an unknown route and a missing key in the same shape', async () => {
    expect(await call('/nope')).toEqual({
      status: 404,
      body: {
        statusCode: 404,
        error: 'not-found',
        message: 'Cannot GET /nope',
        problems: ['Cannot GET /nope'],
      },
    });
    expect(await call('/secret')).toMatchObject({
      status: 401,
      body: { statusCode: 401, error: 'unauthorized', message: 'a valid API key is required' },
    });
  });

  it('answers malformed JSON with invalid-json, and a body over the limit with payload-too-large', async () => {
    expect(await post('{"a":')).toMatchObject({
      status: 400,
      body: {
        statusCode: 400,
        error: 'invalid-json',
        problems: [expect.stringMatching(/^\(root\): not valid JSON: /)],
      },
    });
    expect(await post(JSON.stringify({ text: 'x'.repeat(100) }))).toEqual({
      status: 413,
      body: {
        statusCode: 413,
        error: 'payload-too-large',
        message:
          'the body is 111 bytes; this service accepts at most 64 bytes (BATON_HTTP_BODY_LIMIT)',
        problems: [
          'the body is 111 bytes; this service accepts at most 64 bytes (BATON_HTTP_BODY_LIMIT)',
        ],
      },
    });
    expect(await post('{"fits":true}')).toEqual({ status: 201, body: { fits: true } });
  });

  it('answers an unexpected error generically and logs it, with the request', async () => {
    const answer = await call('/broken');
    expect(answer).toEqual({
      status: 500,
      body: {
        statusCode: 500,
        error: 'internal-error',
        message: 'the service could not answer this request; its log has the details',
        problems: ['the service could not answer this request; its log has the details'],
      },
    });
    expect(JSON.stringify(answer.body)).not.toContain('password');
    expect(logged).toContainEqual({
      fields: expect.objectContaining({ method: 'GET', url: '/broken', statusCode: 500 }),
      message: 'HTTP request failed',
    });
  });

  it('answers an unavailable database with 503 unavailable and Retry-After, and logs the path without its query', async () => {
    const response = await fetch(`${url}/database-down?email=ann@example.com`);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toMatchObject({ statusCode: 503, error: 'unavailable' });
    expect(logged).toContainEqual({
      fields: expect.objectContaining({ url: '/database-down', statusCode: 503 }),
      message: 'HTTP request failed',
    });
    expect(JSON.stringify(logged.map((l) => l.fields['url']))).not.toContain('example.com');
  });

  it("hands a message handler's error on untouched, for the messaging pipeline", async () => {
    const error = new Error('permanent');
    const host = { getType: () => 'rpc' } as unknown as ArgumentsHost;
    const filter = new ErrorBodyFilter(app.getHttpAdapter(), logger);
    const answer = filter.catch(error, host) as Observable<never>;
    await expect(firstValueFrom(answer)).rejects.toBe(error);
  });
});
