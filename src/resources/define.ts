// Shapes of resources. Modules describe them with plain data and handlers; server.ts adapts them to the SDK,
// so resource modules never import it.
import type { AppContext } from "../context.js";

export interface ResourceContext extends AppContext {
  readonly signal: AbortSignal;
}

interface ResourceCommon {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly mimeType: "application/json";
}

/** A resource with one fixed URI. `read` returns data that is served as JSON. */
export interface StaticResourceDefinition extends ResourceCommon {
  readonly uri: string;
  read(ctx: ResourceContext): Promise<unknown>;
}

/** A family of resources under an RFC 6570 URI template such as `customer://customers/{customer_id}`. */
export interface TemplateResourceDefinition extends ResourceCommon {
  readonly uriTemplate: string;
  read(variables: Readonly<Record<string, string>>, ctx: ResourceContext): Promise<unknown>;
  /** Per template variable: values that complete a partial input (ids, from a prefix, name or email). */
  readonly complete?: Readonly<Record<string, (partial: string, ctx: ResourceContext) => Promise<string[]>>>;
}
