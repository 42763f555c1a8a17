// customer-mcp http without tokens (CUSTOMER_MCP_HTTP_AUTH=none, loopback): the stateless Streamable HTTP
// endpoint through the real SDK client and raw requests, its refusals (method, size, JSON, media type, Host,
// Origin), CORS, narrowing headers, money that needs a person, progress over SSE, readiness and drain.
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { startSandbox } from "../../src/sandbox/index.js";
import { manualClock, stallingAfterFirstSleep } from "../helpers/context.js";
import { useSandbox } from "../helpers/fixture.js";
import { post, rpc, startTestHttp, type TestHttpService } from "../helpers/http.js";

const env = useSandbox({ seed: 42 });
let http: TestHttpService;

beforeAll(async () => {
  http = await startTestHttp(env.sandbox, { env: { CUSTOMER_MCP_PROFILE: "admin" } });
});
afterAll(async () => {
  await http.close();
});

/** POST a ping with a chosen Host header; the status. */
function statusWithHost(endpoint: string, host: string): Promise<number> {
  const url = new URL(endpoint);
  const body = JSON.stringify(rpc(1, "ping"));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: { Host: host, "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** The same over a raw socket, which can send several Host headers (node:http will not). */
function statusWithHosts(endpoint: string, hosts: string[]): Promise<number> {
  const url = new URL(endpoint);
  const body = JSON.stringify(rpc(1, "ping"));
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let head = "";
    socket.on("data", (chunk: Buffer) => {
      head += chunk.toString("latin1");
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (status) {
        socket.destroy();
        resolve(Number(status[1]));
      }
    });
    socket.on("error", reject);
    socket.write(
      `POST ${url.pathname} HTTP/1.1\r\n${hosts.map((host) => `Host: ${host}\r\n`).join("")}`
      + "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
      + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

const errorOf = (result: CallToolResult) => JSON.parse((result.content[0] as { text: string }).text) as {
  error_code: string;
  message: string;
};

describe("customer-mcp http, stateless", () => {
  it("serves the real SDK client: initialize, tools/list and a tool call", async () => {
    const client = await http.client();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain("get_customer_overview");
    const id = env.sandbox.store.fixtures.demoCustomerId;
    const result = (await client.callTool({ name: "get_customer", arguments: { customer_id: id } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ customer: { id } });
  });

  it("answers any request on its own, without an initialize on this connection (any replica serves any request)", async () => {
    const answer = await post(http.endpoint, rpc(7, "tools/call", { name: "search_customers", arguments: { limit: 1 } }), {
      "Mcp-Protocol-Version": "2025-11-25",
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
    expect(answer.headers.get("mcp-session-id")).toBeNull();
    expect(answer.json).toMatchObject({ jsonrpc: "2.0", id: 7, result: { structuredContent: { customers: [expect.any(Object)] } } });
  });

  it("records each call with the principal, the replica and the subject sent upstream", async () => {
    const before = http.records.length;
    const id = env.sandbox.store.fixtures.demoCustomerId;
    const requests = env.sandbox.requests.all().length;
    await post(http.endpoint, rpc(8, "tools/call", { name: "get_customer", arguments: { customer_id: id } }));
    expect(http.records.slice(before)).toEqual([
      expect.objectContaining({
        method: "tools/call",
        tool: "get_customer",
        principal: { subject: "local", client: null },
        replica: http.settings.replicaId,
        outcome: "ok",
      }),
    ]);
    expect(env.sandbox.requests.all().slice(requests).map((entry) => entry.onBehalfOf)).toEqual(["local"]);
  });

  it("refuses GET and DELETE with 405: there is no session or server stream", async () => {
    for (const method of ["GET", "DELETE"]) {
      const response = await fetch(http.endpoint, { method, headers: { Accept: "text/event-stream" } });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("POST, OPTIONS");
      expect(await response.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32000 } });
    }
  });

  it("answers a near miss of the endpoint with 404 naming it, not with a 405 that points at GET", async () => {
    const origin = new URL(http.endpoint).origin;
    for (const path of ["/mcp/", "/MCP", "//mcp", "/mcp.json", "/"]) {
      const answer = await post(`${origin}${path}`, rpc(1, "ping"));
      expect(answer, path).toMatchObject({ status: 404, json: { error: "not_found", error_description: expect.stringContaining("POST /mcp") } });
    }
    const health = await fetch(`${origin}/healthz`, { method: "POST" });
    expect(health.status).toBe(405);
    expect(health.headers.get("allow")).toBe("GET, HEAD");
  });

  it("refuses a body over the limit with 413 without reading it, and says the limit", async () => {
    const big = JSON.stringify(rpc(9, "tools/call", { name: "search_customers", arguments: { query: "x".repeat(1_100_000) } }));
    const answer = await post(http.endpoint, big);
    expect(answer.status).toBe(413);
    expect(answer.json).toMatchObject({ error: { code: -32000, message: expect.stringContaining("1048576 bytes") } });
  });

  it("answers broken JSON with a parse error, a wrong media type with 415, and a non-MCP message with 400", async () => {
    expect(await post(http.endpoint, "{not json")).toMatchObject({ status: 400, json: { error: { code: -32700 } } });
    const text = await post(http.endpoint, JSON.stringify(rpc(1, "ping")), { "Content-Type": "text/plain" });
    expect(text.status).toBe(415);
    const notRpc = await post(http.endpoint, { hello: "world" });
    expect(notRpc.status).toBe(400);
  });

  it("refuses what it would have to guess at: batches, non-messages, bytes that are not UTF-8, other charsets", async () => {
    const sent = env.sandbox.requests.all().length;
    const note = (id: number, body: string) =>
      rpc(id, "tools/call", { name: "add_customer_note", arguments: { customer_id: env.sandbox.store.fixtures.demoCustomerId, body } });
    // Two calls with one id would cancel each other; a batch of 100 listings would answer megabytes to one request.
    for (const batch of [[note(9, "A"), note(9, "B")], [rpc(1, "ping")], []]) {
      const answer = await post(http.endpoint, batch);
      expect(answer).toMatchObject({ status: 400, json: { error: { code: -32600, message: expect.stringContaining("batches are not supported") } } });
    }
    for (const notAMessage of ["42", "null", '"ping"', JSON.stringify({ jsonrpc: "2.0", id: null, method: "ping" })]) {
      expect(await post(http.endpoint, notAMessage)).toMatchObject({ status: 400, json: { error: { code: -32600 } } });
    }
    const latin1 = Buffer.concat([Buffer.from(JSON.stringify(note(3, "bad bytes: ")).slice(0, -4)), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}}}')]);
    expect(await post(http.endpoint, latin1)).toMatchObject({ status: 400, json: { error: { code: -32700, message: expect.stringContaining("UTF-8") } } });
    for (const contentType of ["application/json; charset=iso-8859-1", "application/json; charset=utf-16"]) {
      expect((await post(http.endpoint, JSON.stringify(rpc(1, "ping")), { "Content-Type": contentType })).status).toBe(415);
    }
    expect((await post(http.endpoint, JSON.stringify(rpc(1, "ping")), { "Content-Encoding": "gzip" })).status).toBe(415);
    // An unknown protocol version is refused without being quoted back.
    const version = await post(http.endpoint, rpc(1, "ping"), { "MCP-Protocol-Version": "<script>1</script>" });
    expect(version).toMatchObject({ status: 400, json: { error: { message: expect.stringContaining("2025-06-18") } } });
    expect(version.text).not.toContain("script");
    // Except on initialize, where the version is negotiated: a newer client is offered this server's latest.
    const initialize = rpc(1, "initialize", { protocolVersion: "2099-01-01", capabilities: {}, clientInfo: { name: "t", version: "1" } });
    const negotiated = await post(http.endpoint, initialize, { "MCP-Protocol-Version": "2099-01-01" });
    const latest = expect.stringMatching(/^20\d\d-/);
    expect(negotiated).toMatchObject({ status: 200, json: { result: { protocolVersion: latest } } });
    expect((await post(http.endpoint, JSON.stringify(rpc(1, "ping")), { "Content-Type": "application/json; charset=UTF-8" })).status).toBe(200);
    // Nothing of the above reached the customer API.
    expect(env.sandbox.requests.all().length).toBe(sent);
  });

  it("refuses a Host that does not name the server (DNS rebinding) and an unknown Origin, with 403", async () => {
    // fetch will not send another Host; node:http will, as a browser resolving a rebound name would.
    expect(await statusWithHost(http.endpoint, "attacker.example.com")).toBe(403);
    expect(await statusWithHost(http.endpoint, new URL(http.endpoint).host)).toBe(200);
    // Our name first and another second: read one way by a proxy and another here, so refused.
    expect(await statusWithHosts(http.endpoint, [new URL(http.endpoint).host, "attacker.example.com"])).toBe(403);
    const origin = await post(http.endpoint, rpc(1, "ping"), { Origin: "https://attacker.example.com" });
    expect(origin.status).toBe(403);
    expect(origin.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("accepts its own origin, and answers no CORS preflight for any other", async () => {
    const own = new URL(http.endpoint).origin;
    const answer = await post(http.endpoint, rpc(1, "ping"), { Origin: own });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("access-control-allow-origin")).toBe(own);
    const preflight = await fetch(http.endpoint, {
      method: "OPTIONS",
      headers: { Origin: own, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
    const foreign = await fetch(http.endpoint, { method: "OPTIONS", headers: { Origin: "https://attacker.example.com" } });
    expect(foreign.status).toBe(403);
  });

  it("narrows the grant with X-MCP-Readonly and X-MCP-Toolsets, never widens it, and refuses unknown toolsets", async () => {
    const list = async (headers: Record<string, string>) => {
      const answer = await post(http.endpoint, rpc(2, "tools/list"), headers);
      type Listed = Array<{ name: string; annotations: { readOnlyHint: boolean } }>;
      return (answer.json as { result: { tools: Listed } }).result.tools;
    };
    const all = await list({});
    const readOnly = await list({ "X-MCP-Readonly": "true" });
    expect(readOnly.length).toBeGreaterThan(0);
    expect(readOnly.every((tool) => tool.annotations.readOnlyHint)).toBe(true);
    expect(all.some((tool) => !tool.annotations.readOnlyHint)).toBe(true);
    const tickets = await list({ "X-MCP-Toolsets": "tickets" });
    expect(tickets.map((tool) => tool.name).sort()).toEqual(
      ["add_ticket_comment", "create_ticket", "get_ticket", "search_tickets", "update_ticket"],
    );
    expect(await list({ "X-MCP-Readonly": "false" })).toEqual(all);
    const unknown = await post(http.endpoint, rpc(2, "tools/list"), { "X-MCP-Toolsets": "tickets,everything" });
    expect(unknown.status).toBe(400);
  });

  it("tells a client whose own header left a tool out that it asked for less, not to find an operator", async () => {
    const note = rpc(3, "tools/call", { name: "add_customer_note", arguments: { customer_id: env.sandbox.store.fixtures.demoCustomerId, body: "x" } });
    const readOnly = await post(http.endpoint, note, { "X-MCP-Readonly": "true" });
    expect(JSON.stringify(readOnly.json)).toMatch(/this request asked for read-only access \(X-MCP-Readonly\)/);
    const tickets = await post(http.endpoint, note, { "X-MCP-Toolsets": "tickets" });
    expect(JSON.stringify(tickets.json)).toMatch(/not among those this request asked for \(X-MCP-Toolsets\)/);
  });

  it("does not offer issue_refund (a person must confirm every refund) and says why when it is called", async () => {
    const client = await http.client();
    expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain("issue_refund");
    const transaction = env.sandbox.store.transactions.find((t) => t.status === "succeeded");
    const result = (await client.callTool({
      name: "issue_refund",
      arguments: { transaction_id: transaction?.id, amount: 100, reason: "requested_by_customer" },
    })) as CallToolResult;
    expect(errorOf(result)).toMatchObject({ error_code: "permission_denied", message: expect.stringMatching(/over HTTP/) });
  });

  it("refuses a suspension, which needs a person, and changes nothing", async () => {
    const { customers, fixtures } = env.sandbox.store;
    const customer = customers.find((c) => c.status === "active" && c.id !== fixtures.demoCustomerId);
    const patches = env.sandbox.requests.count({ method: "PATCH" });
    const client = await http.client();
    const result = (await client.callTool({
      name: "update_customer_status",
      arguments: { customer_id: customer?.id, status: "suspended", reason: "chargeback fraud confirmed" },
    })) as CallToolResult;
    expect(errorOf(result)).toMatchObject({ error_code: "confirmation_required", message: expect.stringMatching(/over HTTP yet/) });
    expect(env.sandbox.requests.count({ method: "PATCH" })).toBe(patches);
    expect(env.sandbox.store.customersById.get(customer?.id ?? "")?.status).toBe("active");
  });

  it("says it is alive and ready, with what it checked", async () => {
    const base = new URL(http.endpoint).origin;
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ok", checks: { tokens: "ok" } });
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    // Without OAuth there is no protected-resource metadata to serve.
    expect((await fetch(`${base}/.well-known/oauth-protected-resource`)).status).toBe(404);
    // Idle connections outlive a proxy's (60 s), so the proxy is the one that closes them.
    expect(http.service.server.keepAliveTimeout).toBe(65_000);
  });

  it("logs one line per request with its id, never a header value", async () => {
    await post(http.endpoint, rpc(3, "ping"), { "X-Request-Id": "req-log-1", Authorization: "Bearer not-logged-secret" });
    const line = http.logs.lines().find((entry) => entry.msg === "http request" && entry.request_id === "req-log-1");
    expect(line).toMatchObject({ http_method: "POST", path: "/mcp", status: 200, rpc: ["ping"], subject: "local", replica: http.settings.replicaId });
    expect(http.logs.text()).not.toContain("not-logged-secret");
  });
});

describe("progress", () => {
  it("streams progress over SSE when the call asks for it, then the result", async () => {
    // One manual clock drives the server's polling and the sandbox's export, so nothing waits in real time.
    const clock = manualClock();
    const sandbox = await startSandbox({ seed: 42, clock: clock.now, exportDurationMs: 5_000 });
    const own = await startTestHttp(sandbox, { env: { CUSTOMER_MCP_PROFILE: "admin" }, context: { clock, exportPollMs: 1_000 } });
    try {
      const client = await own.client();
      const progress: number[] = [];
      const result = (await client.callTool(
        { name: "export_customers", arguments: { format: "csv" } },
        undefined,
        { onprogress: (update) => void progress.push(update.progress) },
      )) as CallToolResult;
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      expect(progress.length).toBeGreaterThan(1);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      // The same call without a progress token is a plain JSON answer; with one, an event stream.
      const args = { name: "search_customers", arguments: { limit: 1 } };
      const plain = await post(own.endpoint, rpc(1, "tools/call", args));
      expect(plain.headers.get("content-type")).toMatch(/^application\/json/);
      const streamed = await post(own.endpoint, rpc(2, "tools/call", { ...args, _meta: { progressToken: "p-1" } }));
      expect(streamed.headers.get("content-type")).toMatch(/^text\/event-stream/);
      expect(streamed.text).toMatch(/^data: .*"id":2/m);
    } finally {
      await own.close();
      await sandbox.close();
    }
  });
});

describe("drain", () => {
  it("finishes the call in flight, refuses new requests with 503 and readiness, then closes", async () => {
    const own = await startTestHttp(env.sandbox);
    const id = env.sandbox.store.customers[5]?.id ?? "";
    env.sandbox.faults.add({ kind: "latency", latencyMs: 400, path: `/v1/customers/${id}`, times: 1 });
    const slow = post(own.endpoint, rpc(1, "tools/call", { name: "get_customer", arguments: { customer_id: id } }));
    while (own.tracker.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const drained = own.service.drain(5_000);
    const refused = await post(own.endpoint, rpc(2, "ping"));
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    const ready = await fetch(`${new URL(own.endpoint).origin}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: "draining" });
    const answer = await slow;
    expect(answer.json).toMatchObject({ id: 1, result: { structuredContent: { customer: { id } } } });
    expect(await drained).toBe(true);
    await expect(fetch(`${new URL(own.endpoint).origin}/healthz`)).rejects.toThrow();
    own.ctx.api.close();
  });
});

describe("calls that outlive the shutdown grace period", () => {
  it("are stopped as if cancelled: the export cancelled upstream, the client answered, the record complete", async () => {
    const clock = manualClock();
    // After the first poll every sleep lasts until the call is stopped: an export slower than any grace period.
    const { clock: gated, sleeps: polls } = stallingAfterFirstSleep(clock);
    const sandbox = await startSandbox({ seed: 42, clock: clock.now, exportDurationMs: 60_000 });
    const own = await startTestHttp(sandbox, { env: { CUSTOMER_MCP_PROFILE: "admin" }, context: { clock: gated, exportPollMs: 1_000 } });
    try {
      const call = rpc(1, "tools/call", { name: "export_customers", arguments: {}, _meta: { progressToken: "p1" } });
      const answer = post(own.endpoint, call);
      await vi.waitFor(() => expect(polls()).toBeGreaterThan(1));
      expect(await own.service.drain(0)).toBe(false);
      // The client gets its answer on the stream that was open, not a cut connection.
      const { text } = await answer;
      expect(text).toMatch(/"error_code\\?":\\?"server_shutting_down/);
      expect(text).toContain("it changed nothing");
      expect(sandbox.store.exports.at(-1)?.status).toBe("canceled");
      const record = own.records.find((entry) => entry.tool === "export_customers");
      // The export it had started was cancelled upstream, so the call changed nothing: interrupted, not unknown.
      expect(record).toMatchObject({ outcome: "interrupted", error_code: "server_shutting_down" });
      expect(record?.upstream_request_ids.length).toBeGreaterThan(1);
    } finally {
      own.ctx.api.close();
      await sandbox.close();
    }
  });
});

describe("slow clients and proxies", () => {
  it("cuts off a client that does not finish sending its request within the request timeout", async () => {
    const own = await startTestHttp(env.sandbox, { env: { CUSTOMER_MCP_HTTP_REQUEST_TIMEOUT_MS: "1000" } });
    try {
      const url = new URL(own.endpoint);
      const started = performance.now();
      const status = await new Promise<number | "closed">((resolve) => {
        const req = request({
          host: url.hostname,
          port: url.port,
          path: "/mcp",
          method: "POST",
          headers: { "Content-Type": "application/json", "Content-Length": "1000" },
        }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", () => resolve("closed"));
        // A tenth of the body, then nothing: a hung or hostile client.
        req.write("x".repeat(100));
      });
      expect(status).toBe(408);
      // Bounded by the timeout and Node's one-second check, not by the client.
      expect(performance.now() - started).toBeLessThan(5_000);
      // The log line says what the client got.
      await vi.waitFor(() => expect(own.logs.lines().find((line) => line.msg === "http request")).toMatchObject({ status: 408 }));
    } finally {
      await own.close();
    }
  });

  it("answers Expect: 100-continue only once the body is wanted: a body over the limit is refused first", async () => {
    const url = new URL(http.endpoint);
    const body = JSON.stringify(rpc(1, "ping"));
    /** The first answer to headers that announce `length` bytes; the body follows only after a 100 Continue. */
    const exchange = (length: number) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(url.port), url.hostname);
        const proceed = "HTTP/1.1 100 Continue\r\n\r\n";
        let received = "";
        socket.on("data", (chunk: Buffer) => {
          received += chunk.toString("latin1");
          if (received === proceed) {
            socket.write(body);
          } else if (!proceed.startsWith(received)) {
            socket.destroy();
            resolve(received);
          }
        });
        socket.on("error", reject);
        socket.write(
          `POST /mcp HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n`
          + `Accept: application/json, text/event-stream\r\nExpect: 100-continue\r\nContent-Length: ${length}\r\n\r\n`,
        );
      });
    expect(await exchange(Buffer.byteLength(body))).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK/);
    expect(await exchange(2 * 1024 * 1024)).toMatch(/^HTTP\/1\.1 413 /);
  });

  it("answers headers over Node's limit with 431, and stays up", async () => {
    const answer = await post(http.endpoint, rpc(1, "ping"), { "X-Padding": "x".repeat(20_000) });
    expect(answer).toMatchObject({ status: 431, json: { error: "request_header_fields_too_large" } });
    expect((await post(http.endpoint, rpc(2, "ping"))).status).toBe(200);
  });

  it.each([
    ["an SSE stream already under way", { progressToken: "p1" }],
    ["a JSON answer not begun yet", undefined],
  ])("answers a bad request pipelined behind a good one after the good one's answer, never inside it: %s", async (_, meta) => {
    const url = new URL(http.endpoint);
    const id = env.sandbox.store.customers[7]?.id ?? "";
    env.sandbox.faults.add({ kind: "latency", latencyMs: 300, path: `/v1/customers/${id}`, times: 1 });
    const call = JSON.stringify(rpc(1, "tools/call", { name: "get_customer", arguments: { customer_id: id }, ...(meta ? { _meta: meta } : {}) }));
    const received = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname);
      const chunks: Buffer[] = [];
      socket.on("data", (chunk: Buffer) => void chunks.push(chunk));
      socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
      socket.on("error", reject);
      // The call, then at once a request Node's parser cannot read, on the same connection.
      socket.write(
        `POST /mcp HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n`
        + `Accept: application/json, text/event-stream\r\nContent-Length: ${Buffer.byteLength(call)}\r\n\r\n${call}`
        + "GARBAGE\r\n\r\n",
      );
    });
    const [first, second] = received.split(/(?=HTTP\/1\.1 400 Bad Request)/);
    expect(first).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    // The call's whole answer, result included, comes before the 400.
    expect(first).toContain(`"id":"${id}"`);
    expect(second).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect((await post(http.endpoint, rpc(2, "ping"))).status).toBe(200);
  });
});
