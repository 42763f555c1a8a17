// The audit trail: one record per call (tools/call, resources/read and /list, prompts/get, completion/complete),
// whatever happened to it (done, failed, refused, declined, cut off by shutdown), on stderr whatever LOG_LEVEL
// says and, when CUSTOMER_MCP_AUDIT_FILE is set, appended to a JSONL file with synchronous writes
// (src/pipeline/audit-file.ts), so a record is written before the call's answer is sent and SIGTERM loses nothing.
// A sink that fails makes the trail unhealthy until it writes a record again; the admit step refuses writes
// meanwhile. Records carry an argument hash and a redacted summary, never free text, PII or secrets.
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import { PII_FIELDS, redactPiiInText } from "../policy/pii.js";
import { canonicalJson } from "../state/idempotency.js";
import { ARGUMENT_NAME } from "./boundary.js";

/** What the server's policy decided for the call. */
export type AuditDecision =
  | "allowed"
  /** Refused by the grant, the rate limit or shutdown, or a confirmation the client could not show. */
  | "denied"
  /** A person confirmed the write. */
  | "confirmed"
  /** A person declined or cancelled the write (or did not answer). */
  | "declined"
  /** Went ahead without confirmation because the operator allows unconfirmed writes. */
  | "unconfirmed";

export interface AuditRecord {
  /** When the call arrived (ISO 8601). */
  time: string;
  call_id: string;
  /** Which MCP request: `tools/call`, `resources/read`, `resources/list`, `prompts/get` or `completion/complete`. */
  method: CallMethod;
  /**
   * Who called: the principal's subject (and tenant, when there is one) and client; over HTTP also the OAuth
   * client id and the token's id (`jti`) it came with.
   */
  principal: AuditPrincipal;
  /** The server replica that served the call (HTTP; absent over stdio, where there is one process). */
  replica?: string;
  /** Name and version the client gave in `initialize` (also under `principal`). */
  client: { name: string; version: string } | null;
  /** What was called: `tool` for tools/call, `uri` for a resource, `prompt` for a prompt; a completion names the
   * template `uri` or the `prompt`, and the `argument` it completes. */
  tool?: string;
  uri?: string;
  prompt?: string;
  argument?: string;
  /** SHA-256 of the arguments as canonical JSON (keys sorted): equal arguments, equal hash. */
  args_sha256: string;
  /** The arguments with free text replaced by its length and PII-looking values masked. */
  args: unknown;
  decision: AuditDecision;
  /**
   * `unknown`: a write was sent and nothing says whether the API did it (its answer was lost, the call was
   * cancelled or cut off by shutdown). `interrupted`: the server shut down before a call that wrote nothing
   * finished.
   */
  outcome: "ok" | "error" | "unknown" | "interrupted";
  error_code: string | null;
  latency_ms: number;
  upstream_request_ids: string[];
  idempotency_key: string | null;
  cache_hits: number;
}

/** Where records go. */
export interface AuditSink {
  /** Names the sink in error logs: `stderr`, `file`. */
  readonly name: string;
  /** Writes the record whole or throws: a sink never returns for a record it did not write. */
  write(record: AuditRecord): void;
  close(): Promise<void>;
}

/**
 * Records as `audit` lines of the log (stderr). The child logger is pinned at info, so the lines are written
 * whatever LOG_LEVEL is (even `silent`), with the same shape and redaction as every other log line. Never
 * throws: the log is written asynchronously, so a lost stderr (the client closed it) cannot be seen here.
 *
 * The record's `time` (when the call arrived) goes as `started_at`: every log line already has pino's `time`
 * (when it was written), and a line naming `time` twice is rejected by log pipelines that refuse duplicate keys.
 */
export function loggerSink(logger: Logger): AuditSink {
  const audit = logger.child({ audit: true }, { level: "info" });
  return {
    name: "stderr",
    write: ({ time, ...rest }) => audit.info({ started_at: time, ...rest }, "audit"),
    close: async () => {},
  };
}

/** One call's record while it runs: the tool loop fills it in, `finish` writes it once. */
export interface OpenAuditRecord {
  decision: AuditDecision;
  idempotencyKey: string | null;
  /** Whether the call has sent a write: a call cut off after that ends `unknown`, not `interrupted`. */
  mayHaveWritten: () => boolean;
  /** What the call has done upstream so far, for a record written at shutdown while it still runs. */
  facts: () => { upstreamRequestIds?: readonly string[]; cacheHits?: number };
  finish(result: {
    outcome: AuditRecord["outcome"];
    errorCode?: string;
    upstreamRequestIds?: readonly string[];
    cacheHits?: number;
  }): void;
}

/** The MCP requests that are calls: each goes through the pipeline and gets one audit record. */
export type CallMethod = "tools/call" | "resources/read" | "resources/list" | "prompts/get" | "completion/complete";

/** What a call is about, as its record names it. */
export interface CallTarget {
  tool?: string;
  uri?: string;
  prompt?: string;
  argument?: string;
}

export interface AuditPrincipal {
  subject: string;
  tenant?: string;
  client: { name: string; version: string } | null;
  client_id?: string;
  token_id?: string;
}

export interface AuditCall {
  callId: string;
  method: CallMethod;
  target: CallTarget;
  arguments: unknown;
  /** Who called: a Principal (src/pipeline/principal.ts) fits; only these fields reach the record. */
  principal: {
    subject: string;
    tenant?: string;
    client: { name: string; version: string } | null;
    clientId?: string;
    tokenId?: string;
  };
}

export interface AuditWriteFailure {
  sink: string;
  error: unknown;
  /** The call whose record this sink lost (the other sinks still got it). */
  callId: string;
  /** Records this sink has failed to write since it last wrote one, this one included. */
  failedRecords: number;
}

export interface AuditTrailOptions {
  now?: () => number;
  /** Names this replica in every record (HTTP, where several serve the same callers). */
  replica?: string;
  /** Told of every record a sink could not write. Must not throw (it is guarded anyway). */
  onWriteFailed?: (failure: AuditWriteFailure) => void;
  /** Told once when a failing sink writes a whole record again. */
  onRecovered?: (recovery: { sink: string; failedRecords: number }) => void;
}

export class AuditTrail {
  private readonly open = new Set<() => void>();
  /** Sinks whose last write failed, with the number of records each has failed to write since. */
  private readonly failing = new Map<AuditSink, number>();
  private readonly now: () => number;

  constructor(
    private readonly sinks: readonly AuditSink[],
    private readonly options: AuditTrailOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * False while any sink's last write failed. It turns true again by itself once every such sink has written a
   * whole record: reads go on while the trail is unhealthy, so their records probe the sink.
   */
  get healthy(): boolean {
    return this.failing.size === 0;
  }

  private deliver(sink: AuditSink, record: AuditRecord): void {
    try {
      sink.write(record);
    } catch (error) {
      const failedRecords = (this.failing.get(sink) ?? 0) + 1;
      this.failing.set(sink, failedRecords);
      guarded(() => this.options.onWriteFailed?.({ sink: sink.name, error, callId: record.call_id, failedRecords }));
      return;
    }
    const failedRecords = this.failing.get(sink);
    if (failedRecords === undefined) return;
    this.failing.delete(sink);
    guarded(() => this.options.onRecovered?.({ sink: sink.name, failedRecords }));
  }

  /** Starts the record of a call. Exactly one record is written, by `finish` or by `interruptOpen`. */
  begin(call: AuditCall): OpenAuditRecord {
    const startedAt = this.now();
    const started = performance.now();
    let written = false;
    const client = call.principal.client
      ? { name: clip(call.principal.client.name), version: clip(call.principal.client.version) }
      : null;
    const target = Object.fromEntries(
      Object.entries(call.target)
        .filter((entry): entry is [string, string] => entry[1] !== undefined)
        // A URI is the caller's text: an email typed into it would otherwise reach the trail.
        .map(([key, value]) => [key, clip(redactPiiInText(value))]),
    );
    const base = {
      time: new Date(startedAt).toISOString(),
      call_id: call.callId,
      method: call.method,
      principal: {
        subject: clip(call.principal.subject),
        ...(call.principal.tenant ? { tenant: clip(call.principal.tenant) } : {}),
        client,
        ...(call.principal.clientId ? { client_id: clip(call.principal.clientId) } : {}),
        ...(call.principal.tokenId ? { token_id: clip(call.principal.tokenId) } : {}),
      },
      ...(this.options.replica ? { replica: clip(this.options.replica) } : {}),
      client,
      ...target,
      args_sha256: argumentsHash(call.arguments),
      args: summarizeArguments(call.arguments),
    };
    const entry: OpenAuditRecord = {
      decision: "allowed",
      idempotencyKey: null,
      mayHaveWritten: () => false,
      facts: () => ({}),
      finish: (result) => write(result.outcome, result),
    };
    const write = (outcome: AuditRecord["outcome"], result: Parameters<OpenAuditRecord["finish"]>[0] | undefined) => {
      if (written) return;
      written = true;
      // A finished call says what it did; one interrupted at shutdown, what it had done so far.
      const facts = result ?? entry.facts();
      this.open.delete(interrupt);
      const record: AuditRecord = {
        ...base,
        decision: entry.decision,
        outcome,
        error_code: result?.errorCode ?? (result === undefined ? "server_shutting_down" : null),
        latency_ms: Math.round((performance.now() - started) * 100) / 100,
        upstream_request_ids: [...(facts.upstreamRequestIds ?? [])],
        idempotency_key: entry.idempotencyKey,
        cache_hits: facts.cacheHits ?? 0,
      };
      for (const sink of this.sinks) this.deliver(sink, record);
    };
    const interrupt = () => write(entry.mayHaveWritten() ? "unknown" : "interrupted", undefined);
    this.open.add(interrupt);
    return entry;
  }

  /** Calls still running. */
  get openCount(): number {
    return this.open.size;
  }

  /** At shutdown, after the grace period: writes an `interrupted` record for every call still running. */
  interruptOpen(): void {
    for (const interrupt of [...this.open]) interrupt();
  }

  async close(): Promise<void> {
    this.interruptOpen();
    await Promise.all(this.sinks.map(async (sink) => {
      try {
        await sink.close();
      } catch {
        // Closing happens at exit; a descriptor that will not close has nothing left to lose.
      }
    }));
  }
}

/** Runs a reporting callback: a failing reporter must not stop the record reaching the other sinks. */
function guarded(report: () => void): void {
  try {
    report();
  } catch {
    // Reporting is best effort; the trail's health state is already updated.
  }
}

const CLIENT_FIELD_LIMIT = 100;

function clip(text: string): string {
  const plain = String(text).replace(/[^\x20-\x7e]/g, "?");
  return plain.length > CLIENT_FIELD_LIMIT ? `${plain.slice(0, CLIENT_FIELD_LIMIT)}…` : plain;
}

export function argumentsHash(args: unknown): string {
  return createHash("sha256").update(canonicalJson(args ?? {})).digest("hex");
}

// Values kept as they are: ids (cus_…, txn_…), ISO timestamps and short lower-case tokens such as enum values.
const ID = /^[a-z]{2,6}_[A-Za-z0-9]{4,64}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const TOKEN = /^[a-z][a-z_]{0,39}$/;
// Arguments that carry free text (or search terms that may be a name or an email) are never kept, whatever
// they look like.
const FREE_TEXT_KEYS: ReadonlySet<string> = new Set([
  ...PII_FIELDS,
  "query", "body", "note", "subject", "description", "comment", "author", "text", "name", "cursor",
]);
const MAX_DEPTH = 4;
const MAX_KEYS = 30;

/**
 * A summary safe for an audit log: numbers, booleans, ids, timestamps and enum-like tokens are kept; any other
 * string becomes `[text, N chars]`; deep or wide structures are cut. Total: never throws.
 */
export function summarizeArguments(value: unknown, key = "", depth = 0): unknown {
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "string") {
    const keep = !FREE_TEXT_KEYS.has(key) && (ID.test(value) || TIMESTAMP.test(value) || TOKEN.test(value));
    return keep ? value : `[text, ${value.length} chars]`;
  }
  if (typeof value !== "object") return `[${typeof value}]`;
  if (depth >= MAX_DEPTH) return "[nested]";
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_KEYS).map((item) => summarizeArguments(item, key, depth + 1));
    return value.length > MAX_KEYS ? [...items, `[${value.length - MAX_KEYS} more]`] : items;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  entries.slice(0, MAX_KEYS).forEach(([name, item], index) => {
    // A key is the caller's text too: one that is not shaped like an argument name is kept by position only.
    const key = ARGUMENT_NAME.test(name) ? name : `[key ${index + 1}]`;
    out[key] = name === "idempotency_key" ? "[key]" : summarizeArguments(item, name, depth + 1);
  });
  if (entries.length > MAX_KEYS) out["…"] = `${entries.length - MAX_KEYS} more keys`;
  return out;
}
