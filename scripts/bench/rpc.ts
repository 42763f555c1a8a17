// A lean JSON-RPC client over a spawned process's stdio, for the benchmark: newline-delimited messages, any
// number of requests in flight (pipelined on one stream), no schema validation, so the harness costs as little
// CPU as it can on a 2-core machine. Also reads a process's resident set size from /proc.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";

export interface RpcResponse {
  id: number;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

export interface SpawnOptions {
  env: Record<string, string>;
  /** Where the child's stderr goes: a file descriptor (a log file), or "ignore". */
  stderr: number | "ignore";
}

/** The minimal environment every spawned process gets, so the caller's shell settings never leak in. */
export function baseEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" };
}

export class StdioRpc {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  #pending = new Map<number, { resolve(message: RpcResponse): void; reject(error: Error): void }>();
  #nextId = 1;
  #buffer = "";
  #dead: Error | null = null;

  constructor(command: string, args: readonly string[], options: SpawnOptions) {
    this.child = spawn(command, args, { env: options.env, stdio: ["pipe", "pipe", options.stderr] });
    this.child.stdout?.setEncoding("utf8");
    this.child.stdout?.on("data", (chunk: string) => this.#onData(chunk));
    this.child.stdin?.on("error", () => {
      // EPIPE after the child died; the exit handler fails what is pending.
    });
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.failAll(new Error(`process exited (code ${code}, signal ${signal})`));
        resolve(code);
      });
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error("process did not start");
    return this.child.pid;
  }

  get inFlight(): number {
    return this.#pending.size;
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    let newline = this.#buffer.indexOf("\n");
    while (newline !== -1) {
      const line = this.#buffer.slice(0, newline);
      this.#buffer = this.#buffer.slice(newline + 1);
      newline = this.#buffer.indexOf("\n");
      if (line.trim() === "") continue;
      const message = JSON.parse(line) as Partial<RpcResponse>;
      if (typeof message.id !== "number") continue; // notifications (logging, progress) are not measured
      const waiter = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      waiter?.resolve(message as RpcResponse);
    }
  }

  request(method: string, params?: Record<string, unknown>): Promise<RpcResponse> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#nextId++;
    return new Promise<RpcResponse>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.child.stdin?.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, ...(params ? { params } : {}) })}\n`);
    });
  }

  notify(method: string, params?: Record<string, unknown>): void {
    this.child.stdin?.write(`${JSON.stringify({ jsonrpc: "2.0", method, ...(params ? { params } : {}) })}\n`);
  }

  /** Rejects every request still waiting (a phase ran out of time, or the process died). */
  failAll(error: Error): void {
    this.#dead ??= this.child.exitCode !== null || this.child.signalCode !== null ? error : null;
    for (const waiter of this.#pending.values()) waiter.reject(error);
    this.#pending.clear();
  }

  async initialize(): Promise<RpcResponse> {
    const response = await this.request("initialize", INITIALIZE_PARAMS);
    this.notify("notifications/initialized");
    return response;
  }

  /** A tools/call that must succeed: a JSON-RPC error or an `isError` result throws. */
  async callTool(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const response = await this.request("tools/call", { name, arguments: args });
    if (response.error) throw new Error(`${name}: JSON-RPC error ${response.error.code} ${response.error.message}`);
    const result = response.result ?? {};
    if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
    return result;
  }

  /** Closes stdin (how a client says it went away), then kills the process if it has not exited in time. */
  async close(graceMs = 3_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  kill(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    return this.exited;
  }
}

export const INITIALIZE_PARAMS = {
  protocolVersion: "2025-11-25",
  capabilities: {},
  clientInfo: { name: "customer-mcp-bench", version: "1.0.0" },
};

/** Resident set size of a live process in bytes, from /proc/<pid>/status (Linux). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match?.[1]) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** CPU time a live process has used so far (user + system, all threads) in ms, from /proc/<pid>/stat (Linux). */
export function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may contain spaces) start at field 3; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
