// Resources: static ones and URI templates are registered on McpServer (which matches URIs and routes
// completion), every read goes through the error boundary, and resources/list is replaced by a paginated
// handler that walks the static resources and then each listable template's pages. Only resources whose scopes
// the grant holds are registered, so the rest are neither listed, nor readable, nor completed.
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ListResourcesRequestSchema, type ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import type { AppContext } from "../context.js";
import { UserInputError } from "../errors.js";
import { fitToBudget } from "../policy/budget.js";
import {
  isTextBody,
  type ResourceAccess,
  type ResourceContext,
  type StaticResourceDefinition,
  type TemplateResourceDefinition,
} from "../resources/define.js";
import { staticResources, templateResources } from "../resources/index.js";
import { toMcpError } from "./errors.js";

/** Whether the grant holds every scope a resource or prompt needs. */
export function isGranted(ctx: AppContext, access: ResourceAccess): boolean {
  return access.scopes.every((scope) => ctx.policy.grant.has(scope));
}

export function registerResources(mcp: McpServer, ctx: AppContext): void {
  const statics = staticResources.filter((resource) => isGranted(ctx, resource.access));
  const templates = templateResources.filter((resource) => isGranted(ctx, resource.access));
  // With nothing granted there is no resources capability, and so no resources/list to replace.
  if (statics.length === 0 && templates.length === 0) return;
  for (const resource of statics) {
    mcp.registerResource(
      resource.name,
      resource.uri,
      { title: resource.title, description: resource.description, mimeType: resource.mimeType },
      (uri, extra) => readJson(uri, ctx, extra.signal, (rctx) => resource.read(rctx)),
    );
  }
  for (const resource of templates) {
    const complete = Object.fromEntries(
      Object.entries(resource.complete ?? {}).map(([variable, completer]) => [
        variable,
        (value: string) => completeSafely(ctx, variable, (rctx) => completer(value, rctx)),
      ]),
    );
    mcp.registerResource(
      resource.name,
      new ResourceTemplate(resource.uriTemplate, { list: undefined, complete }),
      { title: resource.title, description: resource.description, mimeType: resource.mimeType },
      (uri, variables, extra) =>
        readJson(uri, ctx, extra.signal, (rctx) => resource.read(singleValues(variables), rctx)),
    );
  }
  registerResourceListing(mcp, ctx, statics, templates.filter((resource) => resource.list));
}

/** Cursor of resources/list: which listable template, and that template's own cursor. */
interface ListingCursor {
  t: number;
  c: string | null;
}

function registerResourceListing(
  mcp: McpServer,
  ctx: AppContext,
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
    const log = ctx.logger.child({ request: "resources/list" });
    try {
      const position = decodeListingCursor(request.params?.cursor);
      const template = listable[position.t];
      const first = request.params?.cursor === undefined ? statics : [];
      if (!template?.list) return { resources: first };
      const page = await template.list(position.c ?? undefined, { ...ctx, signal: extra.signal });
      const resources = [...first, ...page.resources.map((r) => ({ ...r, mimeType: template.mimeType }))];
      const next: ListingCursor | null =
        page.next_cursor !== null
          ? { t: position.t, c: page.next_cursor }
          : position.t + 1 < listable.length
            ? { t: position.t + 1, c: null }
            : null;
      return { resources, ...(next ? { nextCursor: Buffer.from(JSON.stringify(next)).toString("base64url") } : {}) };
    } catch (error) {
      throw toMcpError(error, log);
    }
  });
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

/** Completion requests carry no cancellation signal, so each gets the API timeout as its bound. */
async function completeSafely(
  ctx: AppContext,
  variable: string,
  run: (rctx: ResourceContext) => Promise<string[]>,
): Promise<string[]> {
  try {
    return await run({ ...ctx, signal: AbortSignal.timeout(ctx.config.api.timeoutMs) });
  } catch (error) {
    // A failed suggestion list is not worth an error dialog in the client: offer nothing and log why.
    ctx.logger.warn({ variable, err: error }, "completion failed");
    return [];
  }
}

function singleValues(variables: Record<string, string | string[]>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map(([key, value]) => [key, Array.isArray(value) ? (value[0] ?? "") : value]),
  );
}

async function readJson(
  uri: URL,
  ctx: AppContext,
  signal: AbortSignal,
  read: (rctx: ResourceContext) => Promise<unknown>,
): Promise<ReadResourceResult> {
  const log = ctx.logger.child({ resource: uri.href });
  try {
    const data = await read({ ...ctx, signal });
    const content = isTextBody(data)
      ? { uri: uri.href, mimeType: data.mimeType, text: ctx.policy.presentFile(data.text, data.format) }
      : {
          uri: uri.href,
          mimeType: "application/json",
          text: JSON.stringify(fitToBudget(ctx.policy.present(data), ctx.config.limits.maxResultTokens)),
        };
    return { contents: [content] };
  } catch (error) {
    throw toMcpError(error, log, `Resource not found: ${uri.href}`);
  }
}
