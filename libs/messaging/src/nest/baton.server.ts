import {
  EventPattern,
  Server,
  type CustomTransportStrategy,
  type MessageHandler as NestHandler,
} from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { MessagingRuntime } from '../messaging.runtime.js';
import type { HandlerContext, PrepareContext } from '../pipeline/message-pipeline.js';
import type { RouteName, RouteTypes, Routes } from '../routes.js';

/** The Nest pattern of a route's prepare phase (`@PrepareMessage`), beside its handler's. */
const PREPARE_SUFFIX = '#prepare';

/**
 * Nest transport strategy over Baton messaging: `@OnMessage('step.decision')` handlers in
 * controllers become the service's subscriptions, and `@PrepareMessage('step.decision')`
 * their prepare phases. Records are decoded and validated before either runs; handlers take
 * `(@Payload() message, @Ctx() context: HandlerContext)`, preparers
 * `(@Payload() message, @Ctx() context: PrepareContext)`.
 */
export class BatonServer extends Server implements CustomTransportStrategy {
  constructor(
    private readonly runtime: MessagingRuntime,
    private readonly routes: Routes,
  ) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const preparers = new Map<string, NestHandler>();
      for (const [pattern, handler] of this.messageHandlers) {
        if (pattern.endsWith(PREPARE_SUFFIX))
          preparers.set(pattern.slice(0, -PREPARE_SUFFIX.length), handler);
      }
      for (const [pattern, handler] of this.messageHandlers) {
        if (pattern.endsWith(PREPARE_SUFFIX)) continue;
        const route = this.routes.get(pattern as RouteName);
        const prepare = preparers.get(pattern);
        preparers.delete(pattern);
        this.runtime.on(
          route,
          async (message, context: HandlerContext) => {
            await this.run(handler, message, context);
          },
          prepare
            ? (message, context: PrepareContext) => this.run(prepare, message, context)
            : undefined,
        );
      }
      for (const pattern of preparers.keys())
        throw new Error(`@PrepareMessage('${pattern}') has no @OnMessage('${pattern}') handler`);
      await this.runtime.ensureTopics();
      await this.runtime.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /**
   * Calls a Nest handler (its pipes, interceptors and filters) and resolves to its result. Nest
   * hands back an Observable only when an interceptor or an exception filter made one (a thrown
   * error comes back as one); a plain result is returned as it is, with no Observable made and
   * subscribed to per message.
   */
  private async run(handler: NestHandler, message: unknown, context: unknown): Promise<unknown> {
    const result: unknown = await handler(message, context);
    return isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }) : result;
  }

  async close(): Promise<void> {
    await this.runtime.stop();
  }

  on(): never {
    throw new Error('BatonServer has no events to listen to');
  }

  unwrap<T>(): T {
    return this.runtime as T;
  }
}

/**
 * Marks a controller method as the handler of a route. The method's type is checked
 * against the route: `@OnMessage('step.action')` only accepts `(StepEnvelope<'action'>, …)`.
 * A handler whose route has a prepare phase takes `HandlerContext<P>`, P what it prepares.
 */
export function OnMessage<N extends RouteName>(route: N) {
  return <H extends (message: RouteTypes[N], context: HandlerContext<never>) => Promise<void>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<H>,
  ): void => {
    // Nest's own decorator is untyped about the handler; the check above is the point.
    EventPattern(route)(
      target,
      key,
      descriptor as unknown as TypedPropertyDescriptor<(data: unknown) => unknown>,
    );
  };
}

/**
 * Marks a controller method as the prepare phase of a route (MessagePreparer): it runs for
 * each attempt before the handler's transaction opens, holding no connection, and what it
 * returns is the handler's `ctx.prepared`. The route must have an `@OnMessage` handler too.
 */
export function PrepareMessage<N extends RouteName>(route: N) {
  return <H extends (message: RouteTypes[N], context: PrepareContext) => Promise<unknown>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<H>,
  ): void => {
    // A pattern of Baton's own beside the route's: not a topic, BatonServer pairs the two.
    const byPattern = EventPattern as (pattern: string) => MethodDecorator;
    byPattern(`${route}${PREPARE_SUFFIX}`)(target, key, descriptor);
  };
}
