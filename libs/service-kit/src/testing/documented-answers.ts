import Ajv2020 from 'ajv/dist/2020.js';
import { answerSchema } from '../api-docs/answer-schema.js';
import { API_DOCS } from '../api-docs/serve-api-docs.js';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Holds a service's real answers against the OpenAPI document it serves. */
export interface DocumentedAnswers {
  /**
   * What is wrong with this answer as the document describes the operation's answer with this
   * status (`get`, `/v1/runs/{id}`, 200): a field it lacks, one of another type, one it does not
   * name (the schemas are closed). Empty when the answer is as documented.
   */
  problems(method: string, path: string, status: number, body: unknown): string[];
}

/**
 * Reads the running service's OpenAPI document (`/v1/openapi.json`, no key) and checks answers
 * against it with ajv: the document is generated from the same classes the controllers
 * return, so a field added, renamed or retyped on one side only fails the check.
 */
export async function documentedAnswers(url: string): Promise<DocumentedAnswers> {
  const answer = await fetch(`${url}${API_DOCS.versioned}`);
  if (!answer.ok) throw new Error(`${API_DOCS.versioned} answered ${answer.status}`);
  const document = (await answer.json()) as Record<string, unknown>;
  const ajv = new Ajv2020.default({ strict: false, allErrors: true, logger: false });
  ajv.addFormat('date-time', DATE_TIME);
  return {
    problems(method, path, status, body) {
      const schema = answerSchema(document, method, path, status, { closed: true });
      if (!schema) return [`${method.toUpperCase()} ${path} ${status}: no schema documented`];
      const validate = ajv.compile(schema);
      if (validate(body)) return [];
      return (validate.errors ?? []).map(
        (e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
      );
    },
  };
}
