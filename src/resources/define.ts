// Shapes of resources. Modules describe them with plain data and handlers; server.ts adapts them to the SDK,
// so resource modules never import it.
import type { PrincipalContext } from "../context.js";
import type { Scope } from "../policy/access.js";

/** What a resource read, a listing, a completion or a prompt gets: the app and the principal it runs for. */
export type ResourceContext = PrincipalContext;

interface ResourceCommon {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** What `read` usually returns; a read may return `TextBody` with its own type instead. */
  readonly mimeType: string;
  /**
   * Every scope a grant needs for this resource. Outside the grant it is not registered: not listed, and a read
   * gets the SDK's not-found answer.
   */
  readonly access: ResourceAccess;
}

/** What a resource or prompt needs (src/policy/access.ts): every scope of the data it reads. */
export interface ResourceAccess {
  readonly scopes: readonly Scope[];
}

/** Returned by `read` for non-JSON content (an export's CSV, say); anything else is served as JSON. */
/** A file served as it is (an export), with the format that says how to mask it (src/policy/export-files.ts). */
export interface TextBody {
  readonly kind: "text";
  readonly text: string;
  readonly format: "csv" | "jsonl";
  readonly mimeType: string;
}

export function textBody(text: string, format: TextBody["format"], mimeType: string): TextBody {
  return { kind: "text", text, format, mimeType };
}

export function isTextBody(value: unknown): value is TextBody {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "text";
}

/** A resource with one fixed URI. `read` returns data that is served as JSON (or a TextBody). */
export interface StaticResourceDefinition extends ResourceCommon {
  readonly uri: string;
  read(ctx: ResourceContext): Promise<unknown>;
}

/** One concrete resource as resources/list shows it. */
export interface ListedResource {
  uri: string;
  name: string;
  title?: string;
  description?: string;
}

/** A family of resources under an RFC 6570 URI template such as `customer://customers/{customer_id}`. */
export interface TemplateResourceDefinition extends ResourceCommon {
  /** When present, resources/list enumerates this family a page at a time. */
  list?(
    cursor: string | undefined,
    ctx: ResourceContext,
  ): Promise<{ resources: ListedResource[]; next_cursor: string | null }>;
  readonly uriTemplate: string;
  read(variables: Readonly<Record<string, string>>, ctx: ResourceContext): Promise<unknown>;
  /** Per template variable: values that complete a partial input (ids, from a prefix, name or email). */
  readonly complete?: Readonly<Record<string, (partial: string, ctx: ResourceContext) => Promise<string[]>>>;
}
