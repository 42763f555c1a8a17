// URL facts configuration checks: whether an address stays on this machine, whether a URL would send secrets in
// the clear, and how a URL may be shown to a person.

/** A host only this machine can reach: 127.0.0.0/8, ::1 or localhost (brackets around IPv6 allowed). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Plain http to anything but loopback: whatever it carries (keys, tokens) travels unencrypted. */
export function isPlainHttpToRemote(url: string | undefined): boolean {
  if (!url) return false;
  const parsed = new URL(url);
  return parsed.protocol === "http:" && !isLoopbackHost(parsed.hostname);
}

/**
 * A URL as it may be printed or logged: scheme, host, port and path only. Configuration already refuses user
 * names and passwords in the API and token URLs; this holds for any URL that reaches a person all the same, and
 * drops the query and fragment too, where tokens also travel.
 */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  } catch {
    return "(not a valid URL)";
  }
}
