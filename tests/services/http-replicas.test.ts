// Three replicas of the built server (`node dist/index.js http`) behind a round-robin proxy, sharing one Redis,
// with tokens from a real authorization server, against one sandbox: what a scaled-out deployment promises.
// A write repeated on another replica is done once; a caller's rate limit holds across replicas and leaves
// other callers alone; killing a replica in the middle of a load loses no acknowledged write and, with the
// agent's retries, duplicates none; SIGTERM drains a replica.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { post, rpc } from "../helpers/http.js";
import { type AuthServer, startAuthServer } from "../helpers/oauth.js";
import { type RoundRobinProxy, startRoundRobinProxy } from "../helpers/round-robin-proxy.js";
import { type SpawnedHttpServer, spawnHttpServer } from "../helpers/spawn-http.js";
import { TEST_REDIS_URL, useRedis } from "./redis.js";

const CALLS_PER_MINUTE = 6;
const SCOPES = "customers:read tickets:read tickets:write";

const redis = useRedis();
const run = randomUUID().slice(0, 8);
let sandbox: Sandbox;
let as: AuthServer;
let proxy: RoundRobinProxy;
let replicas: SpawnedHttpServer[];
let endpoint: string;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 42 });
  proxy = await startRoundRobinProxy();
  endpoint = `${proxy.origin}/mcp`;
  as = await startAuthServer({ resource: endpoint });
  const env = {
    CUSTOMER_API_URL: sandbox.url,
    CUSTOMER_API_KEY: sandbox.apiKey,
    CUSTOMER_MCP_OAUTH_ISSUER: as.issuer,
    CUSTOMER_MCP_PUBLIC_URL: endpoint,
    CUSTOMER_MCP_REDIS_URL: TEST_REDIS_URL,
    CUSTOMER_MCP_REDIS_PREFIX: redis.prefix,
    CUSTOMER_MCP_PROFILE: "support",
    CUSTOMER_MCP_CALLS_PER_MINUTE: String(CALLS_PER_MINUTE),
    CUSTOMER_MCP_SHUTDOWN_GRACE_MS: "5000",
  };
  replicas = await Promise.all([1, 2, 3].map((n) =>
    spawnHttpServer([], { ...env, CUSTOMER_MCP_REPLICA_ID: `replica-${n}` }, { lifetime: "file" })));
  proxy.upstreams.push(...replicas.map((replica) => replica.origin));
}, 60_000);

afterAll(async () => {
  for (const replica of replicas ?? []) replica.child.kill("SIGKILL");
  await proxy?.close();
  await as?.close();
  await sandbox?.close();
});

const tokenFor = (subject: string) => as.sign({ sub: subject, scope: SCOPES });
const demoId = () => sandbox.store.fixtures.demoCustomerId;

interface ToolAnswer {
  status: number;
  result?: { isError?: boolean; structuredContent?: Record<string, unknown>; content?: Array<{ text: string }> };
}

async function callTool(
  token: string,
  name: string,
  args: Record<string, unknown>,
  to = endpoint,
): Promise<ToolAnswer> {
  const answer = await post(to, rpc(1, "tools/call", { name, arguments: args }), {
    Authorization: `Bearer ${token}`,
    "Mcp-Protocol-Version": "2025-11-25",
  });
  return { status: answer.status, result: (answer.json as { result?: ToolAnswer["result"] } | undefined)?.result };
}

const errorCode = (answer: ToolAnswer) =>
  answer.result?.isError ? (JSON.parse(answer.result.content?.[0]?.text ?? "{}") as { error_code: string }).error_code : undefined;
const ticketsWithSubject = (subject: string) => sandbox.store.tickets.filter((ticket) => ticket.subject === subject);

describe("three replicas, one Redis", () => {
  it("does a write repeated on another replica once: the repeat replays it", async () => {
    const token = await tokenFor(`alice-${run}`);
    const args = { customer_id: demoId(), subject: `Replicas ${run}: one ticket`, description: "Asked twice." };
    const before = proxy.served.length;
    const first = await callTool(token, "create_ticket", args);
    const second = await callTool(token, "create_ticket", args);
    const [a, b] = proxy.served.slice(before);
    expect(a).not.toBe(b);
    expect(first.result?.structuredContent).toMatchObject({ replayed: false });
    expect(second.result?.structuredContent).toMatchObject({ replayed: true });
    expect(ticketsWithSubject(args.subject)).toHaveLength(1);
  });

  it("holds a caller's rate limit across replicas, and leaves another caller's alone", async () => {
    const alice = await tokenFor(`alice-rate-${run}`);
    const bob = await tokenFor(`bob-rate-${run}`);
    const before = proxy.served.length;
    const answers = [];
    for (let i = 0; i <= CALLS_PER_MINUTE; i++) answers.push(await callTool(alice, "get_customer", { customer_id: demoId() }));
    expect(new Set(proxy.served.slice(before)).size).toBe(3);
    expect(answers.slice(0, CALLS_PER_MINUTE).map(errorCode)).toEqual(Array(CALLS_PER_MINUTE).fill(undefined));
    expect(errorCode(answers[CALLS_PER_MINUTE] as ToolAnswer)).toBe("rate_limited");
    expect(errorCode(await callTool(bob, "get_customer", { customer_id: demoId() }))).toBeUndefined();
  });

  it("drains a replica on SIGTERM: the call in flight finishes, new requests get 503, and it exits 0", async () => {
    const replica = replicas[2] as SpawnedHttpServer;
    const id = sandbox.store.customers[7]?.id ?? "";
    sandbox.faults.add({ kind: "latency", latencyMs: 1_000, path: `/v1/customers/${id}`, times: 1 });
    const token = await tokenFor(`dora-${run}`);
    const slow = callTool(token, "get_customer", { customer_id: id }, replica.endpoint);
    // The call is in flight once the sandbox has its request.
    for (let i = 0; i < 200 && !sandbox.requests.all().some((entry) => entry.path === `/v1/customers/${id}`); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    replica.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const ready = await fetch(`${replica.origin}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: "draining" });
    expect((await callTool(token, "get_customer", { customer_id: demoId() }, replica.endpoint)).status).toBe(503);
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect(answer.result?.structuredContent).toMatchObject({ customer: { id } });
    expect(await replica.exited).toBe(0);
  });

  it("loses no acknowledged write when a replica is killed mid-load, and the agents' retries duplicate none", async () => {
    const CALLS = 30;
    const CONCURRENCY = 4;
    const KILL_AFTER = 10;
    const subjects = Array.from({ length: CALLS }, (_, i) => `Replicas ${run}: load #${i}`);
    const tokens = await Promise.all(subjects.map((_, i) => tokenFor(`agent-${i}-${run}`)));
    const call = (i: number) =>
      callTool(tokens[i] as string, "create_ticket", { customer_id: demoId(), subject: subjects[i], description: "Load." });
    const acknowledged = new Map<number, string>();
    const failed: number[] = [];
    let done = 0;
    let nextCall = 0;
    const worker = async () => {
      while (nextCall < CALLS) {
        const i = nextCall++;
        const answer = await call(i);
        const ticket = (answer.result?.structuredContent as { ticket?: { id: string } } | undefined)?.ticket;
        if (answer.status === 200 && !answer.result?.isError && ticket) acknowledged.set(i, ticket.id);
        else failed.push(i);
        if (++done === KILL_AFTER) (replicas[1] as SpawnedHttpServer).child.kill("SIGKILL");
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(await (replicas[1] as SpawnedHttpServer).exited).toBe("SIGKILL");
    // Every acknowledged write is there, once.
    for (const [i, id] of acknowledged) {
      expect(sandbox.store.ticketsById.has(id)).toBe(true);
      expect(ticketsWithSubject(subjects[i] as string)).toHaveLength(1);
    }
    // An agent repeats a call that failed, with the same arguments, until it is answered (bounded).
    for (const i of failed) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const answer = await call(i);
        if (answer.status === 200 && !answer.result?.isError) break;
      }
    }
    expect(subjects.map((subject) => ticketsWithSubject(subject).length)).toEqual(Array(CALLS).fill(1));
    expect(acknowledged.size + failed.length).toBe(CALLS);
  });
});
