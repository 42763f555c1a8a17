// A Lua script run by its SHA1 (EVALSHA), loaded with EVAL the first time a server does not know it (after a
// restart, on a new server). Redis runs a script atomically, which is what the stores' read-check-write steps need.
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  async run(redis: Redis, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
