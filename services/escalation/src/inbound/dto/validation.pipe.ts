import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { errorBody } from '@baton/service-kit';

/** Lists each problem as `<field path>: <message>`. */
export function describeProblems(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`);
    return [...own, ...describeProblems(error.children ?? [], path)];
  });
}

/**
 * Validates HTTP bodies and queries against their DTO classes: unknown fields are refused,
 * and a 400 names every offending field.
 */
export function requestValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const problems = describeProblems(errors);
      return new BadRequestException(
        errorBody(400, 'invalid-request', problems.join('; '), problems),
      );
    },
  });
}
