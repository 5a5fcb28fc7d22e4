import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import { IsArray, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { isUnavailable } from '@baton/messaging';

const CODE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/**
 * The one shape of every error answer of every Baton service (docs/http-api.md#errors).
 * `error` is a stable kebab-case code a client can switch on; `message` is one line for people;
 * `problems` has one line per offending field, each starting with its path, or the message as
 * its only line when no field is at fault. A class, so the OpenAPI document's `ErrorBody`
 * component is generated from it like every other schema.
 */
export class ErrorBody {
  @JSONSchema({ description: 'The HTTP status, repeated.' })
  @IsInt()
  @Min(400)
  @Max(599)
  statusCode!: number;
  @JSONSchema({ description: 'A stable kebab-case code to switch on.' })
  @Matches(CODE)
  error!: string;
  @JSONSchema({ description: 'One line for people; for invalid input, the first problem.' })
  @IsString()
  message!: string;
  @JSONSchema({
    description:
      'One line per offending field, each starting with its path; the message alone when no field is at fault.',
  })
  @IsArray()
  @IsString({ each: true })
  problems!: string[];
}

/** The body of an error answer; services build theirs with it (their exceptions carry it). */
export function errorBody(
  statusCode: number,
  error: string,
  message: string,
  problems: string[] = [message],
): ErrorBody {
  const line = oneLine(message);
  return { statusCode, error, message: line, problems: problems.length ? problems : [line] };
}

/** The error code of a status that has no more specific one: `not-found`, `payload-too-large`. */
export function codeForStatus(status: number): string {
  return (STATUS_CODES[status] ?? 'error')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * What any exception answers over HTTP, in the standard shape. An HttpException keeps its
 * status, its code (`error`, or `code` as the escalation service once sent it; else one made
 * from the status) and its problems; Nest's own (401, 403, route not found) and the body
 * parser's (malformed JSON, a body over the limit) get codes of their own. Anything else, and
 * every 5xx, is answered generically: its message may hold internals (SQL, paths, stacks).
 */
export function errorBodyOf(exception: unknown): ErrorBody {
  if (isUnavailable(exception)) return unavailable();
  if (!(exception instanceof HttpException)) return internalError(500);
  const status = exception.getStatus();
  if (status >= 500) return internalError(status);

  const parser = bodyParserError(exception.cause);
  if (parser?.type === 'entity.parse.failed') {
    const detail = oneLine(parser.message ?? 'unparsable');
    return errorBody(status, 'invalid-json', `the body is not valid JSON: ${detail}`, [
      `(root): not valid JSON: ${detail}`,
    ]);
  }
  if (parser?.type === 'entity.too.large') {
    const limit = typeof parser.limit === 'number' ? `${parser.limit} bytes` : 'the limit';
    const message =
      typeof parser.length === 'number'
        ? `the body is ${parser.length} bytes; this service accepts at most ${limit} (BATON_HTTP_BODY_LIMIT)`
        : `the body is over ${limit}, the most this service accepts (BATON_HTTP_BODY_LIMIT)`;
    return errorBody(status, 'payload-too-large', message);
  }

  const response = exception.getResponse();
  const fields: Record<string, unknown> =
    typeof response === 'object' && response !== null
      ? (response as Record<string, unknown>)
      : { message: response };
  const messages = Array.isArray(fields['message'])
    ? fields['message'].map(String)
    : typeof fields['message'] === 'string'
      ? [fields['message']]
      : [];
  const problems = Array.isArray(fields['problems']) ? fields['problems'].map(String) : messages;
  const code = [fields['error'], fields['code']].find(
    (value): value is string => typeof value === 'string' && CODE.test(value),
  );
  const message = messages[0] ?? problems[0] ?? STATUS_CODES[status] ?? `HTTP ${status}`;
  return {
    ...extensionsOf(exception),
    ...errorBody(status, code ?? codeForStatus(status), message, problems),
  };
}

/** A service's own refusal's members beside the standard ones (CodedHttpException). */
function extensionsOf(exception: HttpException): Record<string, unknown> {
  const { extensions } = exception as { extensions?: unknown };
  return typeof extensions === 'object' && extensions !== null
    ? (extensions as Record<string, unknown>)
    : {};
}

/** Seconds a client is asked to wait (`Retry-After`) when the database is unavailable. */
export const UNAVAILABLE_RETRY_AFTER_S = 5;

/**
 * The database refused or dropped the request (overloaded, restarting, unreachable): nothing
 * is wrong with the request, and nothing was done — the same request later can succeed.
 */
function unavailable(): ErrorBody {
  return errorBody(
    503,
    'unavailable',
    `the service's database is unavailable; nothing was done — retry in ${UNAVAILABLE_RETRY_AFTER_S} s`,
  );
}

function internalError(status: number): ErrorBody {
  return errorBody(
    status,
    status === 500 ? 'internal-error' : codeForStatus(status),
    'the service could not answer this request; its log has the details',
  );
}

interface BodyParserError {
  type?: string;
  message?: string;
  limit?: unknown;
  length?: unknown;
}

/** body-parser's errors (which the Express adapter wraps in an HttpException) name their kind. */
function bodyParserError(cause: unknown): BodyParserError | undefined {
  if (typeof cause !== 'object' || cause === null || !('type' in cause)) return undefined;
  return cause as BodyParserError;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
