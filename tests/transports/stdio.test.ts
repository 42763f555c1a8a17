// The hardened stdio transport over PassThrough streams: every unusable line is answered with a JSON-RPC error
// and the next line is still served; oversized lines are skipped without being held; writes respect backpressure.
import { PassThrough, Writable } from "node:stream";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import {
  DEFAULT_MAX_LINE_BYTES,
  HardenedStdioServerTransport,
  nestingDepth,
  RejectedMessageError,
  type StdioTransportOptions,
} from "../../src/transports/stdio.js";

interface Harness {
  input: PassThrough;
  output: PassThrough;
  transport: HardenedStdioServerTransport;
  received: JSONRPCMessage[];
  errors: Error[];
  /** Every complete line written to the output so far, parsed. */
  answers(): Array<Record<string, unknown>>;
}

const open: HardenedStdioServerTransport[] = [];
afterEach(async () => {
  for (const transport of open.splice(0)) await transport.close();
});

async function harness(options: StdioTransportOptions = {}): Promise<Harness> {
  const input = new PassThrough();
  const output = new PassThrough();
  const transport = new HardenedStdioServerTransport(input, output, options);
  const received: JSONRPCMessage[] = [];
  const errors: Error[] = [];
  let written = "";
  output.on("data", (chunk: Buffer) => {
    written += chunk.toString("utf8");
  });
  transport.onmessage = (message) => received.push(message);
  transport.onerror = (error) => errors.push(error);
  await transport.start();
  open.push(transport);
  return {
    input,
    output,
    transport,
    received,
    errors,
    answers: () =>
      written
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** PassThrough delivers writes on a later tick; this resolves once everything written so far went through. */
async function flushed(h: Harness): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setImmediate(resolve));
  expect(h.input.readableLength).toBe(0);
}

const ping = (id: number) => `${JSON.stringify({ jsonrpc: "2.0", id, method: "ping" })}\n`;

function errorAnswer(code: number, id: string | number | null = null) {
  return { jsonrpc: "2.0", id, error: { code, message: expect.any(String) } };
}

describe("HardenedStdioServerTransport", () => {
  it("delivers valid messages and writes what it sends as one line each", async () => {
    const h = await harness();
    h.input.write(ping(1));
    h.input.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
    await flushed(h);
    expect(h.received).toEqual([
      { jsonrpc: "2.0", id: 1, method: "ping" },
      { jsonrpc: "2.0", method: "notifications/initialized" },
    ]);
    await h.transport.send({ jsonrpc: "2.0", id: 1, result: {} });
    await flushed(h);
    expect(h.answers()).toEqual([{ jsonrpc: "2.0", id: 1, result: {} }]);
    expect(h.errors).toEqual([]);
  });

  it.each([
    ["garbage", "this is not json"],
    ["truncated JSON", '{"jsonrpc":"2.0","id":3,"method":"pi'],
    ["a trailing comma", '{"jsonrpc":"2.0","id":3,"method":"ping",}'],
    ["a lone brace", "{"],
  ])("answers %s with a parse error (id null) and serves the next line", async (_name, line) => {
    const h = await harness();
    h.input.write(`${line}\n${ping(2)}`);
    await flushed(h);
    expect(h.answers()).toEqual([errorAnswer(-32700)]);
    expect(h.answers()[0]).toMatchObject({ error: { message: expect.stringMatching(/^Parse error: /) } });
    expect(h.received).toEqual([{ jsonrpc: "2.0", id: 2, method: "ping" }]);
    expect(h.errors).toHaveLength(1);
    // Reported as a rejection the client has already been answered for (index.ts keeps these off the client).
    expect(h.errors[0]).toBeInstanceOf(RejectedMessageError);
    expect((h.errors[0] as RejectedMessageError).code).toBe(-32700);
  });

  it("answers bytes that are not UTF-8 with a parse error", async () => {
    const h = await harness();
    h.input.write(Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0xc3, 0x28, 0x0a]));
    h.input.write(ping(2));
    await flushed(h);
    expect(h.answers()).toEqual([errorAnswer(-32700)]);
    expect(h.received).toHaveLength(1);
  });

  it.each([
    ["a wrong jsonrpc version", { jsonrpc: "1.0", id: 7, method: "ping" }, 7],
    ["no jsonrpc member", { id: "req-1", method: "ping" }, "req-1"],
    ["a method that is not a string", { jsonrpc: "2.0", id: 8, method: 42 }, 8],
    ["params that are not an object", { jsonrpc: "2.0", id: 9, method: "ping", params: "x" }, 9],
    ["an unknown member", { jsonrpc: "2.0", id: 10, method: "ping", extra: true }, 10],
    ["an object id", { jsonrpc: "2.0", id: { nested: 1 }, method: "ping" }, null],
    ["a fractional id", { jsonrpc: "2.0", id: 1.5, method: "ping" }, null],
    ["an id too long to echo", { jsonrpc: "1.0", id: "x".repeat(300), method: "ping" }, null],
    ["a boolean id", { jsonrpc: "2.0", id: true, method: "ping" }, null],
    ["a null id", { jsonrpc: "2.0", id: null, method: "ping" }, null],
  ])("answers %s with Invalid Request, echoing the id when it is a usable one", async (_name, message, id) => {
    const h = await harness();
    h.input.write(`${JSON.stringify(message)}\n${ping(2)}`);
    await flushed(h);
    expect(h.answers()).toEqual([errorAnswer(-32600, id)]);
    expect(h.received).toEqual([{ jsonrpc: "2.0", id: 2, method: "ping" }]);
  });

  it.each([
    ["a number", "42"],
    ["a string", '"ping"'],
    ["null", "null"],
    ["true", "true"],
  ])("answers %s (JSON, but not an object) with Invalid Request", async (_name, line) => {
    const h = await harness();
    h.input.write(`${line}\n`);
    await flushed(h);
    expect(h.answers()).toEqual([errorAnswer(-32600)]);
  });

  it.each([
    ["a batch", `[${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" })}]`],
    ["an empty batch", "[]"],
  ])("answers %s with one Invalid Request and delivers none of it", async (_name, line) => {
    const h = await harness();
    h.input.write(`${line}\n`);
    await flushed(h);
    expect(h.answers()).toEqual([errorAnswer(-32600)]);
    expect(h.answers()[0]).toMatchObject({ error: { message: expect.stringContaining("batch") } });
    expect(h.received).toEqual([]);
  });

  it("only reports a malformed response: answering it could start an error ping-pong", async () => {
    const h = await harness();
    h.input.write(`${JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "x" } })}\n`);
    h.input.write(`${JSON.stringify({ jsonrpc: "2.0", id: 4, result: "not an object" })}\n`);
    await flushed(h);
    expect(h.answers()).toEqual([]);
    expect(h.errors).toHaveLength(2);
  });

  it("skips a line over the cap without holding it, answers Request too large at once, and serves the next line", async () => {
    const h = await harness({ maxLineBytes: 1_000 });
    // Over the cap in the middle of a chunk-spanning line: the answer comes before the line even ends.
    for (let i = 0; i < 10; i++) h.input.write("a".repeat(400));
    await flushed(h);
    expect(h.answers()).toEqual([errorAnswer(-32600)]);
    expect(h.answers()[0]).toMatchObject({ error: { message: expect.stringContaining("Request too large") } });
    h.input.write(`${"b".repeat(400)}\n${ping(5)}`);
    await flushed(h);
    expect(h.answers()).toHaveLength(1);
    expect(h.received).toEqual([{ jsonrpc: "2.0", id: 5, method: "ping" }]);
  });

  it("answers each oversized line once, also when several arrive in one chunk", async () => {
    const h = await harness({ maxLineBytes: 100 });
    h.input.write(`${"x".repeat(101)}\n${ping(1)}${"y".repeat(500)}\n${ping(2)}`);
    await flushed(h);
    expect(h.answers()).toEqual([errorAnswer(-32600), errorAnswer(-32600)]);
    expect(h.received.map((m) => (m as { id: number }).id)).toEqual([1, 2]);
  });

  it("accepts a line of exactly the cap", async () => {
    const line = ping(1).trimEnd();
    const h = await harness({ maxLineBytes: Buffer.byteLength(line) });
    h.input.write(`${line}\n`);
    await flushed(h);
    expect(h.received).toHaveLength(1);
    expect(h.answers()).toEqual([]);
  });

  it("refuses nesting deeper than the cap before parsing, and accepts it up to the cap", async () => {
    // The message object and params are two levels; x adds three or four more.
    const h = await harness({ maxDepth: 5 });
    const nested = (levels: number) => "[".repeat(levels) + "]".repeat(levels);
    h.input.write(`{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":${nested(3)}}}\n`);
    h.input.write(`{"jsonrpc":"2.0","id":2,"method":"ping","params":{"x":${nested(4)}}}\n`);
    h.input.write(`{"jsonrpc":"2.0","id":3,"method":"ping","params":{"x":"${"[".repeat(50)}"}}\n`);
    await flushed(h);
    expect(h.received.map((m) => (m as { id: number }).id)).toEqual([1, 3]);
    expect(h.answers()).toEqual([errorAnswer(-32600)]);
    expect(h.answers()[0]).toMatchObject({ error: { message: expect.stringContaining("nested deeper than 5") } });
  });

  it.each([
    ["{}", 1],
    ['{"a":[1,{"b":[]}]}', 4],
    ['{"a":"[[[{{{"}', 1],
    // A backslash value closes its string; an escaped quote does not.
    [String.raw`{"a":"\\"}`, 1],
    [String.raw`{"a":"\\\"[[["}`, 1],
    [String.raw`{"a":"\\"}[[`, 2],
    ["42", 0],
  ])("measures the nesting of %s as %i, ignoring brackets inside strings", (text, depth) => {
    expect(nestingDepth(text)).toBe(depth);
  });

  it("caps lines at 1 MiB by default", () => {
    expect(DEFAULT_MAX_LINE_BYTES).toBe(1024 * 1024);
    expect(() => new HardenedStdioServerTransport(new PassThrough(), new PassThrough(), { maxLineBytes: 0 })).toThrow(
      RangeError,
    );
  });

  it("reassembles messages split across chunks, including inside a multi-byte character", async () => {
    const h = await harness();
    const line = Buffer.from(`${JSON.stringify({ jsonrpc: "2.0", id: "é✓😀", method: "ping" })}\n`);
    for (let i = 0; i < line.length; i++) h.input.write(line.subarray(i, i + 1));
    await flushed(h);
    expect(h.received).toEqual([{ jsonrpc: "2.0", id: "é✓😀", method: "ping" }]);
  });

  it("accepts CRLF line endings and ignores blank lines", async () => {
    const h = await harness();
    h.input.write(`\n\r\n   \n${ping(1).trimEnd()}\r\n`);
    await flushed(h);
    expect(h.received).toEqual([{ jsonrpc: "2.0", id: 1, method: "ping" }]);
    expect(h.answers()).toEqual([]);
  });

  it("keeps serving when the message handler or the error handler throws", async () => {
    const h = await harness();
    let calls = 0;
    h.transport.onmessage = () => {
      calls++;
      throw new Error("handler bug");
    };
    h.transport.onerror = () => {
      throw new Error("error handler bug");
    };
    h.input.write(`${ping(1)}garbage\n${ping(2)}`);
    await flushed(h);
    expect(calls).toBe(2);
    expect(h.answers()).toEqual([errorAnswer(-32700)]);
  });

  it("waits for drain when stdout is congested and stops reading stdin until then", async () => {
    const input = new PassThrough();
    const chunks: string[] = [];
    let release: (() => void) | undefined;
    // A stdout that takes one write and then holds the callback until released: a client not reading.
    const output = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString("utf8"));
        release = callback;
      },
    });
    const transport = new HardenedStdioServerTransport(input, output);
    open.push(transport);
    const received: JSONRPCMessage[] = [];
    transport.onmessage = (message) => received.push(message);
    await transport.start();

    let sent = false;
    const sending = transport.send({ jsonrpc: "2.0", id: 1, result: {} }).then(() => {
      sent = true;
    });
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(sent).toBe(false);
    expect(input.isPaused()).toBe(true);

    input.write(ping(2));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(received).toEqual([]);

    release?.();
    await sending;
    expect(sent).toBe(true);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(input.isPaused()).toBe(false);
    expect(received).toEqual([{ jsonrpc: "2.0", id: 2, method: "ping" }]);
    expect(chunks).toEqual([`${JSON.stringify({ jsonrpc: "2.0", id: 1, result: {} })}\n`]);
  });

  it("holds one set of listeners on a congested stdout however many messages wait, and delivers them all in order", async () => {
    const input = new PassThrough();
    const chunks: string[] = [];
    const pending: Array<() => void> = [];
    const output = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString("utf8"));
        pending.push(callback);
      },
    });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    const transport = new HardenedStdioServerTransport(input, output);
    open.push(transport);
    await transport.start();
    const baseline = { drain: output.listenerCount("drain"), close: output.listenerCount("close"), error: output.listenerCount("error") };

    // 50 answers (and junk lines answered by the transport itself) pile up behind a client that does not read.
    const sends = Array.from({ length: 50 }, (_, id) => transport.send({ jsonrpc: "2.0", id, result: {} }));
    input.write("junk\n".repeat(20));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(output.listenerCount("drain") - baseline.drain).toBeLessThanOrEqual(1);
    expect(output.listenerCount("close") - baseline.close).toBeLessThanOrEqual(1);
    expect(output.listenerCount("error") - baseline.error).toBeLessThanOrEqual(1);

    while (pending.length) {
      pending.shift()?.();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await Promise.all(sends);
    process.off("warning", onWarning);
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
    expect(output.listenerCount("drain")).toBe(baseline.drain);
    const ids = chunks.map((chunk) => (JSON.parse(chunk) as { id: unknown }).id).filter((id) => typeof id === "number");
    expect(ids).toEqual(Array.from({ length: 50 }, (_, id) => id));
  });

  it("rejects a send once stdout is closed, and reports a stdout error instead of crashing", async () => {
    const h = await harness();
    h.output.destroy(new Error("EPIPE"));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(h.errors.map((e) => e.message)).toContain("EPIPE");
    await expect(h.transport.send({ jsonrpc: "2.0", id: 1, result: {} })).rejects.toThrow(/closed/);
  });

  it("stops reading on close, calls onclose once, and refuses to start twice", async () => {
    const h = await harness();
    let closes = 0;
    h.transport.onclose = () => closes++;
    await expect(h.transport.start()).rejects.toThrow(/already started/);
    await h.transport.close();
    await h.transport.close();
    h.input.write(ping(1));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(closes).toBe(1);
    expect(h.received).toEqual([]);
    expect(h.input.listenerCount("data")).toBe(0);
  });
});
