import type { MessageTransport } from '@baton/messaging';
import type { Telemetry } from '@baton/telemetry';

/**
 * What a process running several services (embedded mode) gives each of them: one transport
 * and one telemetry SDK for all. The host started them and stops them once every service has
 * stopped; it also owns the process: signals, the hard-stop timer, the exit.
 */
export interface ServiceHost {
  transport: MessageTransport;
  telemetry: Telemetry;
}

/** The host's transport as one service sees it: everything but `close`, which is the host's. */
export function sharedTransport(transport: MessageTransport): MessageTransport {
  return {
    get name() {
      return transport.name;
    },
    connect: () => transport.connect(),
    publish: (records) => transport.publish(records),
    subscribe: (options) => transport.subscribe(options),
    ensureTopics: (topics) => transport.ensureTopics(topics),
    endOffsets: (topic) => transport.endOffsets(topic),
    ping: () => transport.ping(),
    close: async () => undefined,
  };
}

/** The host's telemetry as one service sees it: stopping a service flushes, never shuts down. */
export function sharedTelemetry(telemetry: Telemetry): Telemetry {
  return {
    exporting: telemetry.exporting,
    flush: () => telemetry.flush(),
    shutdown: () => telemetry.flush(),
  };
}
