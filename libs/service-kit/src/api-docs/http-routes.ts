import { RequestMethod, type DynamicModule, type Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';

type ModuleLike = Type<unknown> | DynamicModule | Promise<DynamicModule> | undefined;

/** One HTTP route as Nest routes it: `GET /v1/runs/{id}` is `{ method: 'get', path: '/v1/runs/{id}' }`. */
export interface HttpRoute {
  method: string;
  /** OpenAPI form: `/v1/runs/{id}`. */
  path: string;
  controller: Type<unknown>;
  handler: string;
}

/** Every controller of a module and the modules it imports (static and dynamic), once each. */
export function controllersOf(module: ModuleLike, seen = new Set<unknown>()): Type<unknown>[] {
  if (!module || module instanceof Promise || seen.has(module)) return [];
  seen.add(module);
  const dynamic = 'module' in module ? module : undefined;
  const type = dynamic ? dynamic.module : (module as Type<unknown>);
  const read = <T>(key: string, own: T[] | undefined): T[] => [
    ...((Reflect.getMetadata(key, type) as T[] | undefined) ?? []),
    ...(own ?? []),
  ];
  const controllers = read<Type<unknown>>(MODULE_METADATA.CONTROLLERS, dynamic?.controllers);
  const imports = read<ModuleLike>(MODULE_METADATA.IMPORTS, dynamic?.imports as ModuleLike[]);
  return [...new Set([...controllers, ...imports.flatMap((child) => controllersOf(child, seen))])];
}

/**
 * The HTTP routes of the controllers, from the metadata Nest routes by (`@Controller` path,
 * `@Get`/`@Post`… path and method). Message handlers (`@OnMessage`) have no route.
 */
export function httpRoutes(controllers: Type<unknown>[]): HttpRoute[] {
  return controllers.flatMap((controller) => {
    const prefixes = pathsOf(Reflect.getMetadata(PATH_METADATA, controller));
    const prototype = controller.prototype as Record<string, unknown>;
    return Object.getOwnPropertyNames(prototype).flatMap((handler) => {
      const target = prototype[handler];
      if (handler === 'constructor' || typeof target !== 'function') return [];
      const method = Reflect.getMetadata(METHOD_METADATA, target) as RequestMethod | undefined;
      const paths = Reflect.getMetadata(PATH_METADATA, target) as string | string[] | undefined;
      if (method === undefined || paths === undefined) return [];
      return prefixes.flatMap((prefix) =>
        pathsOf(paths).map((path) => ({
          method: RequestMethod[method].toLowerCase(),
          path: openApiPath(prefix, path),
          controller,
          handler,
        })),
      );
    });
  });
}

function pathsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return [typeof value === 'string' ? value : '/'];
}

/** `v1` + `runs/:id` → `/v1/runs/{id}`. */
function openApiPath(prefix: string, path: string): string {
  const joined = `/${[prefix, path]
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/')}`;
  return joined.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
