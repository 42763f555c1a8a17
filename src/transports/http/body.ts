// Reading a request body with a limit: a client may not make the server buffer more than it allows, and a body
// that is too large is refused as soon as it is known to be (Content-Length) or seen to be (chunks).
import type { IncomingMessage, ServerResponse } from "node:http";

export type BodyResult =
  | { ok: true; text: string; bytes: number }
  | { ok: false; reason: "too_large" | "aborted" | "not_utf8" };

/** Strict: bytes that are not UTF-8 are an error, never replaced with U+FFFD and passed on as if sent. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

export function readBody(req: IncomingMessage, res: ServerResponse, maxBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve({ ok: false, reason: "too_large" });
  // A client that sent `Expect: 100-continue` waits for this before it sends the body (service.ts).
  if (req.headers.expect?.trim().toLowerCase() === "100-continue" && !res.headersSent) res.writeContinue();
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
    req.once("end", () => {
      let text: string;
      try {
        text = UTF8.decode(Buffer.concat(chunks));
      } catch {
        settle({ ok: false, reason: "not_utf8" });
        return;
      }
      settle({ ok: true, text, bytes });
    });
    req.once("aborted", () => settle({ ok: false, reason: "aborted" }));
    req.once("error", () => settle({ ok: false, reason: "aborted" }));
    req.once("close", () => settle({ ok: false, reason: "aborted" }));
  });
}

/**
 * `application/json`, by media type, never by substring; a `charset` parameter, if any, must be UTF-8 (JSON is
 * UTF-8, RFC 8259), and no `Content-Encoding` (a compressed body would be read as text).
 */
export function isJsonContentType(value: string | undefined, contentEncoding?: string): boolean {
  if (!value) return false;
  if (contentEncoding !== undefined && contentEncoding.trim().toLowerCase() !== "identity") return false;
  const [type, ...parameters] = value.split(";");
  if (type?.trim().toLowerCase() !== "application/json") return false;
  return parameters.every((parameter) => {
    const [name, raw = ""] = parameter.split("=");
    if (name?.trim().toLowerCase() !== "charset") return true;
    return ["utf-8", "utf8"].includes(raw.trim().replace(/^"|"$/g, "").toLowerCase());
  });
}
