// The one fixture for a test file that needs the sandbox: started before the file's tests and closed after them,
// its faults cleared after each test, and in-memory clients connected to servers on it (closed with the file).
//
//   const env = useSandbox({ seed: 42 });
//   const connected = await env.connect({ access: { profile: "support" } });
//   env.sandbox.faults.add({ kind: "status", status: 503 });
import { afterAll, afterEach, beforeAll } from "vitest";
import type { ServerOptions } from "../../src/mcp/server.js";
import { type Sandbox, type SandboxOptions, startSandbox } from "../../src/sandbox/index.js";
import { type TestContextOptions, testContext } from "./context.js";
import { type ClientOptions, type Connected, connectInMemory } from "./mcp.js";

export interface SandboxFixture {
  /** The file's sandbox (throws before the file's tests start). */
  readonly sandbox: Sandbox;
  /** A client on a new server over the sandbox, as testContext builds it; closed after the file. */
  connect(context?: TestContextOptions, server?: ServerOptions, client?: ClientOptions): Promise<Connected>;
}

export function useSandbox(options: SandboxOptions = {}): SandboxFixture {
  let started: Sandbox | undefined;
  const clients = new Set<Connected>();
  beforeAll(async () => {
    started = await startSandbox(options);
  });
  afterEach(() => {
    started?.faults.clear();
  });
  afterAll(async () => {
    for (const client of clients) await client.close();
    await started?.close();
  });
  const fixture: SandboxFixture = {
    get sandbox() {
      if (!started) throw new Error("the sandbox starts before the file's first test");
      return started;
    },
    async connect(context = {}, server = {}, client = {}) {
      const connected = await connectInMemory(testContext(fixture.sandbox, context), server, client);
      clients.add(connected);
      return connected;
    },
  };
  return fixture;
}
