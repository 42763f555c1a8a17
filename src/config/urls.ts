// URL facts configuration checks: whether an address stays on this machine, whether a URL would send secrets in
// the clear, and how a URL may be shown to a person.
import { isIP } from "node:net";

/**
 * A host only this machine can reach: 127.0.0.0/8, ::1 or localhost (brackets around IPv6 allowed). Names under
 * `.localhost` are not counted: whether they resolve to loopback is up to the resolver, and this check guards
 * where tokens and keys go and who may call without one.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  if (host === "localhost" || host === "::1") return true;
  return isIP(host) === 4 && host.startsWith("127.");
}

/** A URL whose host is loopback (false for anything that does not parse). */
export function isLoopbackUrl(url: string): boolean {
  return URL.canParse(url) && isLoopbackHost(new URL(url).hostname);
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
