# syntax=docker/dockerfile:1
# customer-mcp as a shared HTTP service (docs/remote.md). Two stages: the first installs the toolchain from the
# lockfile and bundles src/ into dist/ (scripts/build.mjs); the second holds only what `node dist/index.js`
# reads at run time (dist/*.js, the SBOM, package.json for "type": "module" and the version) and no
# node_modules: every library the server uses is inside the bundle.
#
# The base is pinned by tag. Pin it by digest too (node:20-slim@sha256:…) where your registry policy asks for
# it: NODE_IMAGE takes any reference, e.g. --build-arg NODE_IMAGE=node:20.20-bookworm-slim@sha256:<digest>.
ARG NODE_IMAGE=node:20-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.mjs scripts/sbom.mjs ./scripts/
COPY src ./src
# Source maps point at src/, which the image does not carry; the npm package leaves them out too.
RUN npm run build && rm -f dist/*.map

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    CUSTOMER_MCP_HTTP_HOST=0.0.0.0 \
    CUSTOMER_MCP_HTTP_PORT=8080
WORKDIR /app
# Owned by root and read-only to the server: the process cannot change its own code.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/dist/ ./dist/
COPY LICENSE ./LICENSE
# uid 1000 is the image's `node` user; numeric, so Kubernetes can check runAsNonRoot without reading /etc/passwd.
USER 1000:1000
EXPOSE 8080
# SIGTERM drains: no new requests, /readyz answers 503, calls in flight get CUSTOMER_MCP_SHUTDOWN_GRACE_MS.
STOPSIGNAL SIGTERM
# Liveness only (/healthz): readiness (/readyz) also depends on Redis, the IdP and the customer API, which must
# not make Docker restart or replace a process that is fine. No curl in the image: Node's own fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.CUSTOMER_MCP_HTTP_PORT || 8080}/healthz`, { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/index.js"]
CMD ["http"]
