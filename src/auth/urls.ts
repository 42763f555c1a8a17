// The URLs the token side fetches from (issuer metadata, JWKS) must be HTTPS: a key set fetched over plain HTTP
// lets anyone on the path sign tokens. Plain HTTP is accepted on loopback only, for tests and local development.
import { isLoopbackHost } from "../config/urls.js";

/**
 * The URL parsed, when it is absolute, has no fragment, no credentials, and is https (or http on loopback);
 * otherwise a sentence saying what is wrong, naming `what`.
 */
export function checkFetchUrl(value: string, what: string): URL | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${what} is not an absolute URL.`;
  }
  if (url.hash !== "" || value.includes("#")) return `${what} must not have a fragment.`;
  if (url.username !== "" || url.password !== "") return `${what} must not carry credentials.`;
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return url;
  return `${what} must use https (plain http is accepted on loopback only).`;
}
