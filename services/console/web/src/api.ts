// The page's one way to the server: the console's own API, which forwards /api/trigger and
// /api/escalation to the services with the signed-in key (an HttpOnly cookie the page never
// sees). Every error has Baton's shape: { statusCode, error, message, problems }.

export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
  problems: string[];
}

export class ApiError extends Error {
  constructor(readonly body: ApiErrorBody) {
    super(body.message);
  }
  get status(): number {
    return this.body.statusCode;
  }
}

export type Role = 'publisher' | 'reviewer' | 'admin';
export interface Principal {
  name: string;
  role: Role;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`/api/${path}`, {
      method,
      headers: {
        accept: 'application/json',
        // The server accepts changes only with this header (another site cannot send it).
        'x-baton-console': '1',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError({
      statusCode: 0,
      error: 'network',
      message: 'The console did not answer. Is Baton running?',
      problems: [],
    });
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = parsed as Partial<ApiErrorBody> | undefined;
    throw new ApiError({
      statusCode: response.status,
      error: error?.error ?? 'error',
      message: error?.message ?? `HTTP ${response.status}`,
      problems: error?.problems ?? [],
    });
  }
  return parsed as T;
}
