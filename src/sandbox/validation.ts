// Input checks shared by the routes: id patterns, query filters and zod body parsing, each failing with the
// contract's 400 and the offending `param`.
import { z } from "zod";
import { invalid } from "./http.js";

const idPattern = (prefix: string) => new RegExp(`^${prefix}_[A-Za-z0-9]{8,24}$`);
const ID_PATTERNS: ReadonlyMap<string, RegExp> = new Map(
  ["cus", "txn", "re", "tkt", "cmt", "note", "seg", "exp"].map((prefix) => [prefix, idPattern(prefix)]),
);

export function isId(prefix: string, value: string): boolean {
  return (ID_PATTERNS.get(prefix) ?? idPattern(prefix)).test(value);
}

export const idSchema = (prefix: string) =>
  z.string().regex(idPattern(prefix), `must be an id like ${prefix}_ followed by 8-24 letters or digits`);

/** Parses a request body; the first issue becomes the error, its path the `param`. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue?.path.map(String).join(".") || undefined;
  const detail = issue?.message ?? "invalid value";
  throw invalid(param ? `Invalid ${param}: ${detail}` : `Invalid request body: ${detail}`, param);
}

/** A non-empty string query parameter (empty counts as absent). */
export function textParam(query: URLSearchParams, name: string, maxLength: number): string | undefined {
  const value = query.get(name);
  if (value === null || value === "") return undefined;
  if (value.length > maxLength) throw invalid(`${name} must be at most ${maxLength} characters.`, name);
  return value;
}

export function enumParam<T extends string>(
  query: URLSearchParams,
  name: string,
  values: readonly T[],
): T | undefined {
  const value = textParam(query, name, 100);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) {
    throw invalid(`${name} must be one of: ${values.join(", ")}.`, name);
  }
  return value as T;
}

export function idParam(query: URLSearchParams, name: string, prefix: string): string | undefined {
  const value = textParam(query, name, 100);
  if (value !== undefined && !isId(prefix, value)) {
    throw invalid(`${name} must be an id like ${prefix}_ followed by 8-24 letters or digits.`, name);
  }
  return value;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** An ISO 8601 date or date-time, normalised to the toISOString() form records use (so strings compare). */
export function isoParam(query: URLSearchParams, name: string): string | undefined {
  const value = textParam(query, name, 64);
  if (value === undefined) return undefined;
  const ms = ISO_8601.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw invalid(`${name} must be an ISO 8601 date or date-time.`, name);
  return new Date(ms).toISOString();
}
