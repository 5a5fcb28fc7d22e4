import { applyDecorators } from '@nestjs/common';
import { ApiExtension, ApiResponse } from '@nestjs/swagger';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- a class-validator class
type Class = Function;

/** The operation extension that names a route's query class (expanded by openApiDocument). */
export const QUERY_EXTENSION = 'x-baton-query';

/**
 * A `$ref` to the schema of a class-validator class: the OpenAPI document's components are
 * generated from the classes' decorators (`contractDefinitions`), never written by hand.
 */
export function schemaRef(cls: Class): { $ref: string } {
  return { $ref: `#/components/schemas/${cls.name}` };
}

/** The route's query parameters are the properties of this class-validator class. */
export const ApiQueryOf = (cls: Class) => ApiExtension(QUERY_EXTENSION, cls.name);

/**
 * The route's own answers, by status: `{ 409: '`version-published`: …' }`. An error status
 * gets the one error body (ErrorBody); a success one the schema given, if any.
 */
export const ApiAnswers = (
  answers: Record<number, string | { description: string; schema: object }>,
) =>
  applyDecorators(
    ...Object.entries(answers).map(([status, answer]) =>
      ApiResponse(
        typeof answer === 'string'
          ? { status: Number(status), description: answer }
          : { status: Number(status), description: answer.description, schema: answer.schema },
      ),
    ),
  );
