// Writes a reply to the socket, or deliberately fails to, as the request's response-shaping fault says.
import type { ServerResponse } from "node:http";
import type { FaultRule } from "./faults.js";
import { DEFAULT_FAULT_DELAY_MS, DEFAULT_OVERSIZED_BYTES } from "./faults.js";
import { encodeReply, type Reply } from "./http.js";

/** Schedules timers the sandbox can cancel on close, so a trickling body never keeps the process alive. */
export type Schedule = (ms: number, fn: () => void) => void;

const SLOW_CHUNKS = 5;
const MALFORMED_BODY = '{"data":[{"id":"cus_0000000000","name":"Ada Lovelace",}';
const OVERSIZED_HEAD = Buffer.from('{"padding":"');
const OVERSIZED_TAIL = Buffer.from('"}');
const OVERSIZED_CHUNK = Buffer.alloc(64 * 1024, "x");

/** Valid JSON that breaks the contract: ids become numbers, lists stop being arrays. */
export function wrongSchema(reply: Reply): unknown {
  const body = reply.json;
  if (body === null || typeof body !== "object") return { unexpected: true };
  if ("data" in body) return { data: { items: "not-a-list" }, next_cursor: 12345 };
  const mangled: Record<string, unknown> = { ...body };
  for (const key of Object.keys(mangled)) {
    if (key === "id" || key.endsWith("_id")) mangled[key] = 12345;
    if (key.endsWith("_at")) mangled[key] = 1_700_000_000;
  }
  if ("error" in mangled) mangled.error = "something went wrong";
  return mangled;
}

function baseHeaders(reply: Reply, requestId: string, contentType: string, length: number) {
  return {
    ...reply.headers,
    "X-Request-Id": requestId,
    "Content-Type": contentType,
    "Content-Length": length,
  };
}

/**
 * Sends `reply` shaped by `fault` and reports the status the client saw, or null when the socket was
 * destroyed instead of answered.
 */
export function deliver(
  res: ServerResponse,
  reply: Reply,
  requestId: string,
  fault: FaultRule | null,
  schedule: Schedule,
  done: (status: number | null) => void,
): void {
  if (res.destroyed) {
    done(null);
    return;
  }
  switch (fault?.kind) {
    case "reset_after":
      res.destroy();
      done(null);
      return;
    case "malformed_json":
      send(
        res,
        { ...reply, status: 200, text: MALFORMED_BODY, contentType: "application/json" },
        requestId,
        done,
      );
      return;
    case "wrong_schema":
      send(res, { status: 200, json: wrongSchema(reply), headers: reply.headers ?? {} }, requestId, done);
      return;
    case "truncated_body": {
      const { contentType, body } = encodeReply(reply);
      res.writeHead(reply.status, baseHeaders(reply, requestId, contentType, body.length));
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
      done(null);
      return;
    }
    case "slow_body": {
      const { contentType, body } = encodeReply(reply);
      res.writeHead(reply.status, baseHeaders(reply, requestId, contentType, body.length));
      res.flushHeaders();
      res.once("close", () => {
        if (!res.writableFinished) done(null);
      });
      const total = fault.latencyMs ?? DEFAULT_FAULT_DELAY_MS;
      const size = Math.ceil(body.length / SLOW_CHUNKS);
      for (let i = 1; i <= SLOW_CHUNKS; i++) {
        const chunk = body.subarray((i - 1) * size, i * size);
        schedule(Math.round((total * i) / SLOW_CHUNKS), () => {
          if (res.destroyed) return;
          if (i < SLOW_CHUNKS) res.write(chunk);
          else {
            res.end(chunk);
            done(reply.status);
          }
        });
      }
      return;
    }
    case "oversized_body":
      sendOversized(res, reply, requestId, fault.bytes ?? DEFAULT_OVERSIZED_BYTES, done);
      return;
    default:
      send(res, reply, requestId, done);
      return;
  }
}

/**
 * 200 with valid JSON of exactly `bytes` bytes, streamed in chunks as the socket drains, so the sandbox never
 * holds the whole body; a client that gives up mid-way (as a capped one does) just closes the socket.
 */
function sendOversized(
  res: ServerResponse,
  reply: Reply,
  requestId: string,
  bytes: number,
  done: (status: number | null) => void,
): void {
  let reported = false;
  const report = (status: number | null) => {
    if (reported) return;
    reported = true;
    done(status);
  };
  res.writeHead(200, baseHeaders(reply, requestId, "application/json", bytes));
  res.once("close", () => {
    if (!res.writableFinished) report(null);
  });
  let left = Math.max(0, bytes - OVERSIZED_HEAD.length - OVERSIZED_TAIL.length);
  const pump = () => {
    while (left > 0) {
      if (res.destroyed) return;
      const size = Math.min(left, OVERSIZED_CHUNK.length);
      left -= size;
      if (!res.write(OVERSIZED_CHUNK.subarray(0, size))) {
        res.once("drain", pump);
        return;
      }
    }
    res.end(OVERSIZED_TAIL, () => report(200));
  };
  res.write(OVERSIZED_HEAD);
  pump();
}

function send(res: ServerResponse, reply: Reply, requestId: string, done: (status: number | null) => void) {
  const { contentType, body } = encodeReply(reply);
  res.writeHead(reply.status, baseHeaders(reply, requestId, contentType, body.length));
  res.end(body);
  done(reply.status);
}
