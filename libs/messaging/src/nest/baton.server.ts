import { EventPattern, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { MessagingRuntime } from '../messaging.runtime.js';
import type { HandlerContext } from '../pipeline/message-pipeline.js';
import type { RouteName, RouteTypes, Routes } from '../routes.js';

/**
 * Nest transport strategy over Baton messaging: `@OnMessage('step.decision')` handlers in
 * controllers become the service's subscriptions. Records are decoded and validated before
 * a handler runs; handlers take `(@Payload() message, @Ctx() context: HandlerContext)`.
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
      for (const [pattern, handler] of this.messageHandlers) {
        const route = this.routes.get(pattern as RouteName);
        this.runtime.on(route, async (message, context) => {
          const result: unknown = await handler(message, context);
          await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
        });
      }
      await this.runtime.ensureTopics();
      await this.runtime.start();
      callback();
    } catch (error) {
      callback(error);
    }
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
 */
export function OnMessage<N extends RouteName>(route: N) {
  return <H extends (message: RouteTypes[N], context: HandlerContext) => Promise<void>>(
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
