// Matches a method and path against a route table of literal segments and `:name` parameters.

interface RouteLike {
  readonly method: string;
  readonly path: string;
}

type Segment = { literal: string } | { param: string };

export interface RouteMatch<R> {
  route: R;
  params: Record<string, string>;
}

export class Router<R extends RouteLike> {
  readonly #compiled: Array<{ route: R; segments: Segment[] }>;

  constructor(routes: readonly R[]) {
    this.#compiled = routes.map((route) => ({
      route,
      segments: route.path
        .split("/")
        .slice(1)
        .map((s) => (s.startsWith(":") ? { param: s.slice(1) } : { literal: s })),
    }));
  }

  match(method: string, path: string): RouteMatch<R> | null {
    const parts = path.split("/").slice(1);
    for (const { route, segments } of this.#compiled) {
      if (route.method !== method || segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segments.length && ok; i++) {
        const seg = segments[i] as Segment;
        const part = parts[i] ?? "";
        if ("literal" in seg) ok = seg.literal === part;
        else if (part === "") ok = false;
        else params[seg.param] = part;
      }
      if (ok) return { route, params };
    }
    return null;
  }
}
