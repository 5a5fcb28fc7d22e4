import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { codeForStatus, errorBody, errorBodyOf } from './error-body.js';

/** What the Express adapter makes of a body-parser error before filters see it. */
const fromBodyParser = (status: number, cause: object) =>
  new HttpException('raw parser message', status, { cause });

describe(errorBodyOf.name, () => {
  it("keeps a service's own code and problems", () => {
    const exception = new HttpException(
      errorBody(400, 'invalid-event', 'tenantId: is required', [
        'tenantId: is required',
        'data: is required',
      ]),
      400,
    );
    expect(errorBodyOf(exception)).toEqual({
      statusCode: 400,
      error: 'invalid-event',
      message: 'tenantId: is required',
      problems: ['tenantId: is required', 'data: is required'],
    });
  });

  it('reads a legacy `code` as the error code', () => {
    const exception = new HttpException(
      { statusCode: 409, code: 'task-not-open', message: 'task t-1 is approved' },
      409,
    );
    expect(errorBodyOf(exception)).toEqual({
      statusCode: 409,
      error: 'task-not-open',
      message: 'task t-1 is approved',
      problems: ['task t-1 is approved'],
    });
  });

  it("gives Nest's own exceptions a code made from the status, and the message as the problem", () => {
    expect(errorBodyOf(new NotFoundException('Cannot GET /v1/nope'))).toEqual({
      statusCode: 404,
      error: 'not-found',
      message: 'Cannot GET /v1/nope',
      problems: ['Cannot GET /v1/nope'],
    });
    expect(errorBodyOf(new UnauthorizedException('a valid API key is required'))).toMatchObject({
      statusCode: 401,
      error: 'unauthorized',
      message: 'a valid API key is required',
    });
    expect(errorBodyOf(new ForbiddenException())).toMatchObject({
      statusCode: 403,
      error: 'forbidden',
      message: 'Forbidden',
      problems: ['Forbidden'],
    });
    expect(errorBodyOf(new PayloadTooLargeException('too big'))).toMatchObject({
      error: 'payload-too-large',
    });
  });

  it("lists a validation pipe's message array as the problems, the first as the message", () => {
    expect(errorBodyOf(new BadRequestException(['a: must be a string', 'b: is required']))).toEqual(
      {
        statusCode: 400,
        error: 'bad-request',
        message: 'a: must be a string',
        problems: ['a: must be a string', 'b: is required'],
      },
    );
  });

  it('answers malformed JSON with invalid-json and the parser detail', () => {
    const syntax = Object.assign(
      new SyntaxError("Expected property name or '}' in JSON at position 1"),
      { type: 'entity.parse.failed', status: 400 },
    );
    expect(errorBodyOf(fromBodyParser(400, syntax))).toEqual({
      statusCode: 400,
      error: 'invalid-json',
      message: "the body is not valid JSON: Expected property name or '}' in JSON at position 1",
      problems: ["(root): not valid JSON: Expected property name or '}' in JSON at position 1"],
    });
  });

  it('answers a body over the limit with payload-too-large, its size and the limit', () => {
    const tooLarge = { type: 'entity.too.large', length: 2048, limit: 1024 };
    expect(errorBodyOf(fromBodyParser(413, tooLarge))).toEqual({
      statusCode: 413,
      error: 'payload-too-large',
      message:
        'the body is 2048 bytes; this service accepts at most 1024 bytes (BATON_HTTP_BODY_LIMIT)',
      problems: [
        'the body is 2048 bytes; this service accepts at most 1024 bytes (BATON_HTTP_BODY_LIMIT)',
      ],
    });
  });

  it('answers any other error, and every 5xx, generically: no internals leak', () => {
    const generic = 'the service could not answer this request; its log has the details';
    expect(errorBodyOf(new Error('relation "runs" does not exist at /srv/app.js:12'))).toEqual({
      statusCode: 500,
      error: 'internal-error',
      message: generic,
      problems: [generic],
    });
    expect(errorBodyOf(new ServiceUnavailableException({ secret: 'db password' }))).toEqual({
      statusCode: 503,
      error: 'service-unavailable',
      message: generic,
      problems: [generic],
    });
    expect(errorBodyOf('a string thrown')).toMatchObject({ statusCode: 500 });
  });

  it('keeps the message on one line', () => {
    expect(errorBodyOf(new BadRequestException('first\n  second'))).toMatchObject({
      message: 'first second',
    });
  });
});

describe(codeForStatus.name, () => {
  it('makes kebab-case codes from the status text', () => {
    expect([400, 401, 404, 413, 415, 422].map(codeForStatus)).toEqual([
      'bad-request',
      'unauthorized',
      'not-found',
      'payload-too-large',
      'unsupported-media-type',
      'unprocessable-entity',
    ]);
  });
});
