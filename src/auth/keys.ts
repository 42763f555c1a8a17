// Where the verifier gets the issuer's public keys. jose's remote key set does the fetching, the key selection by
// `kid` and `alg`, and the refetch when a token names a key it has not seen (at most once per cooldown), which is
// how a key rotation at the issuer is picked up without a restart. Around it, this file adds what a shared service
// needs when the issuer is slow or down:
//   - discovery of jwks_uri (once it succeeds it is kept for the life of the process);
//   - a backoff after a failed discovery or key fetch, so an outage costs the issuer one request per backoff
//     interval rather than one per incoming token, and tokens fail fast meanwhile;
//   - refresh by age on our own clock, and keys kept past their age while the issuer cannot be reached (up to
//     maxStaleMs), so a short outage of the key endpoint does not turn away every caller with a valid token.
// Nothing here throws anything but TokenError("keys_unavailable") or jose's own key-selection errors.
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type JWTVerifyGetKey,
} from "jose";
import type { Logger } from "pino";
import { discoverJwksUri } from "./discovery.js";
import { TokenError } from "./errors.js";

type RemoteKeySet = ReturnType<typeof createRemoteJWKSet>;
type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

export interface KeySourceOptions {
  issuer: string;
  /** Skips discovery when given. */
  jwksUrl?: URL;
  timeoutMs: number;
  /** Least time between two refetches caused by an unknown `kid` (jose's cooldown). */
  cooldownMs: number;
  /** Keys older than this are refetched before use. */
  maxAgeMs: number;
  /** While refetching fails, keys up to this old are still used. */
  maxStaleMs: number;
  now(): number;
  logger: Logger;
}

export interface KeySource {
  /** The key for a token's protected header, for jose's jwtVerify. */
  readonly resolve: JWTVerifyGetKey;
  /** Whether keys can be had now (fetching them if they are missing or old). Never throws. */
  ready(): Promise<boolean>;
}

/** The first failure waits this long before the next attempt; each further one doubles it, up to the cap. */
const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

function summary(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`;
}

/**
 * Whether an error from jose's remote key set is a failed fetch (network, timeout, not 200, not a JWKS) rather
 * than a key-selection problem of the token (no key or several keys match, a key it cannot import). jose throws
 * its base JOSEError only for a bad HTTP answer; fetch itself throws TypeError or an abort.
 */
function isFetchFailure(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  if (error instanceof errors.JOSEError) return error.constructor === errors.JOSEError;
  return true;
}

export function createKeySource(options: KeySourceOptions): KeySource {
  const { issuer, logger, now } = options;
  let remote: RemoteKeySet | undefined;
  let discovering: Promise<RemoteKeySet> | undefined;
  let refreshing: Promise<void> | undefined;
  /** When keys were last fetched successfully by this source, on `now()`. */
  let fetchedAt: number | undefined;
  let failures = 0;
  let retryAt = 0;
  /** A key set over the cached keys that never fetches, for use while backing off; keyed by their JSON. */
  let offline: { json: string; set: LocalKeySet } | undefined;

  const unavailable = (detail: string) => new TokenError("keys_unavailable", { detail });

  const failed = (what: string, error: unknown) => {
    failures++;
    const waitMs = Math.min(BACKOFF_MIN_MS * 2 ** (failures - 1), BACKOFF_MAX_MS);
    retryAt = now() + waitMs;
    const detail = `${what} failed: ${summary(error)}`;
    logger.warn({ issuer, failures, retryInMs: waitMs }, `Token signing keys: ${detail}`);
    return detail;
  };

  const backingOff = () => now() < retryAt;

  const remoteSet = (jwksUri: URL): RemoteKeySet =>
    createRemoteJWKSet(jwksUri, {
      timeoutDuration: options.timeoutMs,
      cooldownDuration: options.cooldownMs,
      // Age is handled here, on the injected clock, so that old keys can be kept while the issuer is down.
      cacheMaxAge: Infinity,
    });

  const keySet = async (): Promise<RemoteKeySet> => {
    if (remote) return remote;
    if (options.jwksUrl) return (remote = remoteSet(options.jwksUrl));
    if (backingOff()) throw unavailable("discovery is backing off after a failure");
    discovering ??= discoverJwksUri(issuer, options.timeoutMs)
      .then(({ jwksUri, metadataUrl }) => {
        logger.info({ issuer, jwksUri: jwksUri.href, metadataUrl: metadataUrl.href }, "Token signing keys: discovered");
        failures = 0;
        return (remote = remoteSet(jwksUri));
      })
      .catch((error: unknown) => {
        throw unavailable(failed("discovery", error));
      })
      .finally(() => {
        discovering = undefined;
      });
    return discovering;
  };

  const refresh = (set: RemoteKeySet): Promise<void> => {
    refreshing ??= set
      .reload()
      .then(() => {
        fetchedAt = now();
        failures = 0;
        retryAt = 0;
      })
      .catch((error: unknown) => {
        throw unavailable(failed("fetching the key set", error));
      })
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  };

  /** The key set, refreshed first when its keys are missing or old; old keys still serve while fetching fails. */
  const current = async (): Promise<RemoteKeySet> => {
    const set = await keySet();
    const age = fetchedAt === undefined ? Infinity : now() - fetchedAt;
    if (age < options.maxAgeMs) return set;
    const usableStale = set.jwks() !== undefined && age < options.maxStaleMs;
    if (backingOff()) {
      if (usableStale) return set;
      throw unavailable("fetching the key set is backing off after a failure");
    }
    try {
      await refresh(set);
    } catch (error) {
      if (!usableStale) throw error;
      logger.warn({ issuer, ageMs: age }, "Token signing keys: using the last keys fetched while the issuer is unreachable");
    }
    return set;
  };

  /** While backing off, an unknown `kid` is looked up in the cached keys only, without another fetch. */
  const withoutFetching = (set: RemoteKeySet): LocalKeySet | undefined => {
    const keys = set.jwks();
    if (!keys) return undefined;
    const json = JSON.stringify(keys);
    if (offline?.json !== json) offline = { json, set: createLocalJWKSet(keys) };
    return offline.set;
  };

  const resolve = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    const set = await current();
    const local = backingOff() ? withoutFetching(set) : undefined;
    try {
      return await (local ?? set)(header, token);
    } catch (error) {
      if (!isFetchFailure(error)) throw error;
      // jose refetched for an unknown kid and the fetch failed.
      throw unavailable(failed("refetching the key set for an unknown key", error));
    }
  };

  return {
    resolve,
    async ready() {
      try {
        const set = await current();
        return (set.jwks()?.keys.length ?? 0) > 0;
      } catch {
        return false;
      }
    },
  };
}
