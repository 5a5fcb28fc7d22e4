/** A URL's host name, lowercase, without IPv6 brackets; undefined when it is no URL. */
export function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}

/**
 * Whether `host` is one the allow-list names: exactly, or under a `*.domain` entry (the
 * domain itself is not under it). Ports are not part of the match.
 */
export function hostAllowed(host: string, allowedHosts: readonly string[]): boolean {
  const name = host.toLowerCase();
  return allowedHosts.some((entry) => {
    const pattern = entry
      .trim()
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1');
    if (!pattern) return false;
    if (pattern.startsWith('*.'))
      return name.endsWith(pattern.slice(1)) && name.length > pattern.length - 1;
    return pattern === name;
  });
}

/** Why a request to this URL may not be sent, or undefined when it may. */
export function outboundRefusal(url: string, allowedHosts: readonly string[]): string | undefined {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    return 'not an absolute URL';
  }
  if (protocol !== 'https:' && protocol !== 'http:')
    return `${protocol.slice(0, -1)} is not http or https`;
  const host = hostOf(url)!;
  if (hostAllowed(host, allowedHosts)) return undefined;
  return allowedHosts.length
    ? `host ${host} is not in BATON_OUTBOUND_ALLOWED_HOSTS`
    : `host ${host} is not allowed: BATON_OUTBOUND_ALLOWED_HOSTS is empty (no outbound HTTP)`;
}
