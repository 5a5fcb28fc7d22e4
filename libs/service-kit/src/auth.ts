import { createHash, timingSafeEqual } from 'node:crypto';
import {
  ForbiddenException,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ConfigError, Setting } from '@baton/config';

export const ROLES = ['publisher', 'reviewer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  name: string;
  role: Role;
}

/** API keys and their roles. Keys are stored as SHA-256 hashes, never in clear. */
export class ApiKeysConfig {
  @Setting({
    env: 'BATON_API_KEYS',
    type: 'list',
    secret: true,
    default: [],
    description:
      'API keys as `name:role:sha256-of-key`, comma-separated; roles: publisher (post triggers), reviewer (read runs, decide tasks), admin (everything). `npm run api-key -- <name> <role>` makes one.',
  })
  entries!: string[];
}

export const API_KEYS = Symbol('baton:api-keys');

interface KeyEntry extends Principal {
  hash: Buffer;
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Parses BATON_API_KEYS; a malformed entry is a config error naming it (its value is not shown). */
export function parseApiKeys(entries: string[], service = 'service'): KeyEntry[] {
  const problems: string[] = [];
  const keys = entries.flatMap((entry, index) => {
    const [name, role, hash] = entry.split(':');
    const valid =
      name &&
      role &&
      hash &&
      (ROLES as readonly string[]).includes(role) &&
      /^[0-9a-f]{64}$/.test(hash);
    if (!valid) {
      problems.push(
        `BATON_API_KEYS entry ${index + 1} must be name:role:sha256hex with role one of ${ROLES.join(', ')}`,
      );
      return [];
    }
    return [{ name: name!, role: role as Role, hash: Buffer.from(hash!, 'hex') }];
  });
  if (problems.length) throw new ConfigError(service, problems);
  return keys;
}

const ROLES_KEY = 'baton:roles';
const PUBLIC_KEY = 'baton:public';

/** Roles allowed on a route (admin is always allowed). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** A route that needs no key (health probes). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/**
 * Who may call a route, as ApiKeyGuard decides it (the handler's metadata over its class's):
 * anyone (`@Public`), or a key of these roles (admin always among them). For the API docs.
 */
export function routeAccess(
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- Nest keys metadata by class and method
  targets: [handler: Function, controller: Function],
): { public: true } | { public: false; roles: Role[] } {
  const read = <T>(key: string) =>
    targets
      .map((target) => Reflect.getMetadata(key, target) as T | undefined)
      .find((value) => value !== undefined);
  if (read<boolean>(PUBLIC_KEY)) return { public: true };
  const allowed = read<Role[]>(ROLES_KEY) ?? [];
  return { public: false, roles: ['admin', ...allowed.filter((role) => role !== 'admin')] };
}

/** The authenticated caller of the current request. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal =>
    ctx.switchToHttp().getRequest<{ principal: Principal }>().principal,
);

/**
 * Every HTTP route needs `Authorization: Bearer <key>` unless marked @Public: 401 without a
 * valid key, 403 when the key's role is not among the route's @Roles.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEYS) private readonly keys: KeyEntry[],
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; principal?: Principal }>();
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers['authorization'] ?? '');
    const presented = match ? sha256(match[1]!) : undefined;
    const entry = presented && this.keys.find((key) => timingSafeEqual(key.hash, presented));
    if (!entry)
      throw new UnauthorizedException('a valid API key is required: Authorization: Bearer <key>');
    const allowed = this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? [];
    if (entry.role !== 'admin' && !allowed.includes(entry.role)) {
      throw new ForbiddenException(
        `role ${entry.role} may not do this; allowed: ${['admin', ...allowed].join(', ')}`,
      );
    }
    request.principal = { name: entry.name, role: entry.role };
    return true;
  }
}
