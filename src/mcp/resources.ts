// Resources: static ones and URI templates are registered on McpServer (which matches URIs and routes
// completion), and resources/list is replaced by a paginated handler that walks the static resources and then each
// listable template's pages. Only resources whose scopes the principal's grant holds are registered, so the rest
// are neither listed, nor readable, nor completed. Every read, listing page and completion is a call through the
// pipeline: admitted, run in a call scope, presented for the principal, recorded.
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ListResourcesRequestSchema, type ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import type { PrincipalContext } from "../context.js";
import { UserInputError } from "../errors.js";
import type { CallTarget } from "../pipeline/audit.js";
import { type CallPlan, type PipelineRuntime, runCall, type RunningCall } from "../pipeline/call.js";
import type { Principal } from "../pipeline/principal.js";
import { fitToBudget } from "../policy/budget.js";
import {
  isTextBody,
  type ListedResource,
  type ResourceAccess,
  type ResourceContext,
  type StaticResourceDefinition,
  type TemplateResourceDefinition,
} from "../resources/define.js";
import { staticResources, templateResources } from "../resources/index.js";
import { toMcpError } from "./errors.js";

/** Whether a principal's grant holds every scope a resource or prompt needs. */
export function isGranted(principal: Principal, access: ResourceAccess): boolean {
  return access.scopes.every((scope) => principal.policy.grant.has(scope));
}

/** What a resource, listing, completion or prompt handler gets for one call. */
export function principalContext(runtime: PipelineRuntime, call: RunningCall): PrincipalContext {
  return { ...runtime.ctx, principal: call.principal, policy: call.principal.policy, signal: call.signal };
}

/** A plan for a call that reads (nothing to parse beyond what the handler checks, never a write). */
function readPlan<Result, Shown>(
  runtime: PipelineRuntime,
  options: {
    label: string;
    bucket: string;
    deadlineMs?: number;
    run(rctx: ResourceContext): Promise<Result>;
    present(result: Result, call: RunningCall): Shown;
  },
): CallPlan<undefined, Result, Shown> {
  return {
    admission: { label: options.label, write: false, bucket: options.bucket },
    parse: () => undefined,
    deadlineMs: options.deadlineMs ?? runtime.ctx.config.api.callTimeoutMs,
    run: (_args, call) => options.run(principalContext(runtime, call)),
    present: (result, call) => options.present(result, call),
  };
}

/**
 * Offers the values of `complete` for a partial input, as a call (admitted, rate-limited, recorded). A failed
 * suggestion list is not worth an error dialog in the client: it offers nothing, and the trail says why.
 */
export async function completeAsCall(
  runtime: PipelineRuntime,
  principal: Principal,
  target: CallTarget,
  value: string,
  complete: (rctx: ResourceContext) => Promise<string[]>,
): Promise<string[]> {
  const ref = target.uri ?? target.prompt ?? "";
  const outcome = await runCall(runtime, {
    method: "completion/complete",
    target,
    arguments: { value },
    principal,
    // Completion requests carry no cancellation signal: the call's deadline (the attempt timeout) bounds them.
    signal: new AbortController().signal,
  }, readPlan(runtime, {
    label: `completion of ${target.argument ?? "an argument"}`,
    bucket: `complete:${ref}`,
    deadlineMs: runtime.ctx.config.api.timeoutMs,
    run: complete,
    present: (values) => values,
  }));
  return outcome.ok ? outcome.value : [];
}

export function registerResources(mcp: McpServer, runtime: PipelineRuntime, principal: () => Principal): void {
  const session = principal();
  const statics = staticResources.filter((resource) => isGranted(session, resource.access));
  const templates = templateResources.filter((resource) => isGranted(session, resource.access));
  // With nothing granted there is no resources capability, and so no resources/list to replace.
  if (statics.length === 0 && templates.length === 0) return;
  for (const resource of statics) {
    mcp.registerResource(
      resource.name,
      resource.uri,
      { title: resource.title, description: resource.description, mimeType: resource.mimeType },
      (uri, extra) => read(runtime, principal(), { uri, variables: {}, name: resource.name, signal: extra.signal },
        (rctx) => resource.read(rctx)),
    );
  }
  for (const resource of templates) {
    const complete = Object.fromEntries(
      Object.entries(resource.complete ?? {}).map(([variable, completer]) => [
        variable,
        (value: string) => {
          const target = { uri: resource.uriTemplate, argument: variable };
          return completeAsCall(runtime, principal(), target, value, (rctx) => completer(value, rctx));
        },
      ]),
    );
    mcp.registerResource(
      resource.name,
      new ResourceTemplate(resource.uriTemplate, { list: undefined, complete }),
      { title: resource.title, description: resource.description, mimeType: resource.mimeType },
      (uri, variables, extra) => {
        const values = singleValues(variables);
        return read(runtime, principal(), { uri, variables: values, name: resource.name, signal: extra.signal },
          (rctx) => resource.read(values, rctx));
      },
    );
  }
  registerResourceListing(mcp, runtime, principal, statics, templates.filter((resource) => resource.list));
}

/** One resource read through the pipeline: its JSON for the principal within the budget, or its file masked. */
async function read(
  runtime: PipelineRuntime,
  principal: Principal,
  request: { uri: URL; variables: Record<string, string>; name: string; signal: AbortSignal },
  load: (rctx: ResourceContext) => Promise<unknown>,
): Promise<ReadResourceResult> {
  const { uri } = request;
  const budgetTokens = runtime.ctx.config.limits.maxResultTokens;
  const outcome = await runCall(runtime, {
    method: "resources/read",
    target: { uri: uri.href },
    arguments: request.variables,
    principal,
    signal: request.signal,
  }, readPlan(runtime, {
    label: uri.href,
    bucket: `resource:${request.name}`,
    run: load,
    present: (data, call) => {
      const { policy } = call.principal;
      return isTextBody(data)
        ? { uri: uri.href, mimeType: data.mimeType, text: policy.presentFile(data.text, data.format) }
        : { uri: uri.href, mimeType: "application/json", text: JSON.stringify(fitToBudget(policy.present(data), budgetTokens)) };
    },
  }));
  if (!outcome.ok) throw toMcpError(outcome.error, outcome.payload, `Resource not found: ${uri.href}`);
  return { contents: [outcome.value] };
}

/** Cursor of resources/list: which listable template, and that template's own cursor. */
interface ListingCursor {
  t: number;
  c: string | null;
}

function registerResourceListing(
  mcp: McpServer,
  runtime: PipelineRuntime,
  principal: () => Principal,
  staticResources: readonly StaticResourceDefinition[],
  listable: readonly TemplateResourceDefinition[],
): void {
  const statics = staticResources.map((resource) => ({
    uri: resource.uri,
    name: resource.name,
    title: resource.title,
    description: resource.description,
    mimeType: resource.mimeType,
  }));
  mcp.server.setRequestHandler(ListResourcesRequestSchema, async (request, extra) => {
    const cursor = request.params?.cursor;
    const outcome = await runCall(runtime, {
      method: "resources/list",
      target: {},
      arguments: cursor === undefined ? {} : { cursor },
      principal: principal(),
      signal: extra.signal,
    }, {
      ...readPlan(runtime, {
        label: "resources/list",
        bucket: "resources/list",
        run: (rctx) => listingPage(rctx, decodeListingCursor(cursor), listable),
        present: (page) => page,
      }),
    });
    if (!outcome.ok) throw toMcpError(outcome.error, outcome.payload);
    const { position, page } = outcome.value;
    const template = listable[position.t];
    const first = cursor === undefined ? statics : [];
    if (!template || !page) return { resources: first };
    const resources = [...first, ...page.resources.map((r) => ({ ...r, mimeType: template.mimeType }))];
    const next: ListingCursor | null =
      page.next_cursor !== null
        ? { t: position.t, c: page.next_cursor }
        : position.t + 1 < listable.length
          ? { t: position.t + 1, c: null }
          : null;
    return { resources, ...(next ? { nextCursor: Buffer.from(JSON.stringify(next)).toString("base64url") } : {}) };
  });
}

async function listingPage(
  rctx: ResourceContext,
  position: ListingCursor,
  listable: readonly TemplateResourceDefinition[],
): Promise<{ position: ListingCursor; page?: { resources: ListedResource[]; next_cursor: string | null } }> {
  const template = listable[position.t];
  if (!template?.list) return { position };
  return { position, page: await template.list(position.c ?? undefined, rctx) };
}

/** A cursor this server issues wraps an upstream cursor (at most a few hundred characters) in base64url JSON. */
const MAX_LISTING_CURSOR_CHARS = 4096;

function decodeListingCursor(cursor: string | undefined): ListingCursor {
  if (cursor === undefined) return { t: 0, c: null };
  if (cursor.length > MAX_LISTING_CURSOR_CHARS) {
    throw new UserInputError("The cursor is not one this server issued; start again without a cursor.");
  }
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Partial<ListingCursor>;
    const t = parsed.t;
    if (typeof t === "number" && Number.isInteger(t) && t >= 0 && (typeof parsed.c === "string" || parsed.c === null)) {
      return { t, c: parsed.c };
    }
  } catch {
    // Falls through to the error below.
  }
  throw new UserInputError("The cursor is not one this server issued; start again without a cursor.");
}

function singleValues(variables: Record<string, string | string[]>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map(([key, value]) => [key, Array.isArray(value) ? (value[0] ?? "") : value]),
  );
}
