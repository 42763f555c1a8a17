// Reading a request body with a limit: a client may not make the server buffer more than it allows, and a body
// that is too large is refused as soon as it is known to be (Content-Length) or seen to be (chunks).
import type { IncomingMessage } from "node:http";

export type BodyResult =
  | { ok: true; text: string; bytes: number }
  | { ok: false; reason: "too_large" | "aborted" };

export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve({ ok: false, reason: "too_large" });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const settle = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      req.off("data", onData);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        // Stop reading: the rest is never buffered. The connection is closed after the 413 is sent.
        req.pause();
        settle({ ok: false, reason: "too_large" });
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => settle({ ok: true, text: Buffer.concat(chunks).toString("utf8"), bytes }));
    req.once("aborted", () => settle({ ok: false, reason: "aborted" }));
    req.once("error", () => settle({ ok: false, reason: "aborted" }));
    req.once("close", () => settle({ ok: false, reason: "aborted" }));
  });
}

/** `application/json`, with any parameters (`; charset=utf-8`), by media type, never by substring. */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  return value.split(";")[0]?.trim().toLowerCase() === "application/json";
}
