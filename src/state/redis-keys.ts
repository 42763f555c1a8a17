// Redis keys of the stores: the deployment's prefix, the kind of entry, then the caller's key. A caller key may
// hold any characters (principal keys join parts with NUL): it is kept as it is, readable in redis-cli, unless it
// holds a lone surrogate, which UTF-8 cannot carry (two different keys would both arrive as U+FFFD and share an
// entry); such a key is written as the hex of its UTF-16 code units instead. The marker after the kind (`=` or
// `#`) says which, so the two forms never meet.
export type RedisKeyKind = "claim" | "done" | "rate" | "doc";

const LONE_SURROGATE = /\p{Surrogate}/u;

export function redisKey(prefix: string, kind: RedisKeyKind, key: string): string {
  if (!LONE_SURROGATE.test(key)) return `${prefix}${kind}=${key}`;
  return `${prefix}${kind}#${Buffer.from(key, "utf16le").toString("hex")}`;
}
