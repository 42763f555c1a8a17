// Test helpers for the sandbox: a typed fetch wrapper and a hand-driven clock.
import type { Sandbox } from "../../src/sandbox/index.js";

export interface ErrorBody {
  error: { type: string; message: string; param?: string; request_id: string };
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface CallOptions {
  method?: string;
  /** Sent as JSON unless it is already a string. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Bearer token; defaults to the sandbox API key; null sends no Authorization header. */
  token?: string | null;
}

export interface CallResult<T> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function call<T = unknown>(
  sb: Sandbox,
  path: string,
  options: CallOptions = {},
): Promise<CallResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? sb.apiKey : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["Content-Type"] ??= "application/json";
  }
  const res = await fetch(`${sb.url}${path}`, { method: options.method ?? "GET", headers, body });
  const text = await res.text();
  const isJson = (res.headers.get("content-type") ?? "").includes("json");
  let parsed: unknown;
  if (isJson) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** Pages through a list endpoint, returning every item and the number of requests it took. */
export async function collect<T>(sb: Sandbox, path: string): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const url: string = cursor === null ? path : `${path}${sep}cursor=${encodeURIComponent(cursor)}`;
    const res: CallResult<Page<T>> = await call<Page<T>>(sb, url);
    if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${res.text}`);
    items.push(...res.body.data);
    cursor = res.body.next_cursor;
    pages++;
  } while (cursor !== null);
  return { items, pages };
}

export function manualClock(startMs = Date.UTC(2026, 10, 15, 12, 0, 0)) {
  let now = startMs;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}
