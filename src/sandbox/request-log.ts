// Bounded log of requests in arrival order, so tests can assert what reached the server (and how often).
// Admin routes are not logged: they are the test harness, not traffic.
import type { FaultKind } from "./faults.js";

export interface RequestLogEntry {
  method: string;
  path: string;
  /** true when the connection closed before the answer was fully sent (a client abort, or a reset fault). */
  closedBeforeAnswer?: boolean;
  /** null when the socket was destroyed instead of answered (and while the request is still in flight). */
  status: number | null;
  fault: FaultKind | null;
  idempotencyKey: string | null;
  /** The X-On-Behalf-Of header (contract v1.1): who the client said the request is for. */
  onBehalfOf: string | null;
  replayed: boolean;
  requestId: string;
  at: number;
}

export interface RequestLog {
  all(): RequestLogEntry[];
  count(filter?: { method?: string; path?: string }): number;
  clear(): void;
}

export class BoundedRequestLog implements RequestLog {
  #entries: RequestLogEntry[] = [];
  #start = 0;
  #total = 0;

  constructor(private readonly capacity = 10_000) {}

  /** Requests ever logged, including those the bound has since dropped. */
  get total(): number {
    return this.#total;
  }

  add(entry: RequestLogEntry): void {
    this.#total++;
    if (this.#entries.length < this.capacity) {
      this.#entries.push(entry);
      return;
    }
    this.#entries[this.#start] = entry;
    this.#start = (this.#start + 1) % this.capacity;
  }

  all(): RequestLogEntry[] {
    const ordered = [...this.#entries.slice(this.#start), ...this.#entries.slice(0, this.#start)];
    return ordered.map((e) => ({ ...e }));
  }

  count(filter: { method?: string; path?: string } = {}): number {
    const method = filter.method?.toUpperCase();
    let n = 0;
    for (const e of this.#entries) {
      if (method !== undefined && e.method !== method) continue;
      if (filter.path !== undefined && !e.path.startsWith(filter.path)) continue;
      n++;
    }
    return n;
  }

  clear(): void {
    this.#entries = [];
    this.#start = 0;
  }
}
