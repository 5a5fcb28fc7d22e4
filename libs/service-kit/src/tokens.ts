/** Injection tokens for what every Baton service gets from the kit. */
export const DATA_SOURCE = Symbol('baton:data-source');
export const MESSAGING_RUNTIME = Symbol('baton:messaging-runtime');
export const LOGGER = Symbol('baton:logger');
export const SERVICE_INFO = Symbol('baton:service-info');
export const WORKFLOWS = Symbol('baton:workflows');
/** The largest HTTP request body the service reads, in bytes (BATON_HTTP_BODY_LIMIT). */
export const HTTP_BODY_LIMIT = Symbol('baton:http-body-limit');

export interface ServiceInfo {
  name: string;
  version: string;
}
