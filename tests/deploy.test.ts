// The deployment artifacts (Dockerfile, deploy/kubernetes/, deploy/compose.yaml, deploy/nginx.conf) checked on
// every run, without a cluster or a Docker engine: each Kubernetes manifest against the API schemas that
// kubernetes-models ships (types and required fields; the schemas allow unknown field names, so a misspelt
// optional field is not caught here), then the invariants that keep the pieces consistent with each other and
// with the server (probes, grace periods, selectors, ports, no real secrets, known variable names).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Ingress, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Secret, Service, ServiceAccount } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { VARIABLES } from "../src/config/env.js";
import { SCOPES } from "../src/policy/access.js";

const K8S_DIR = "deploy/kubernetes";

// Loose shapes: the schema check below is what vouches for the structure.
type Labels = Record<string, string>;
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Labels };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}
interface Loaded {
  file: string;
  doc: Manifest;
}

interface Validatable {
  validate(): void;
}
const MODELS: Record<string, new (data: never) => Validatable> = {
  "apps/v1/Deployment": Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "networking.k8s.io/v1/Ingress": Ingress,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "v1/ConfigMap": ConfigMap,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "v1/ServiceAccount": ServiceAccount,
};

function loadManifests(): Loaded[] {
  return readdirSync(K8S_DIR)
    .filter((file) => file.endsWith(".yaml") && file !== "kustomization.yaml")
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(K8S_DIR, file), "utf8")).map((document) => {
        expect(document.errors, file).toEqual([]);
        return { file, doc: document.toJS() as Manifest };
      }),
    );
}

const manifests = loadManifests();
const applied = manifests.filter(({ file }) => !file.endsWith(".example.yaml"));

function only(kind: string): Manifest {
  const found = applied.filter(({ doc }) => doc.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!.doc;
}

const deployment = only("Deployment");
const podSpec = deployment.spec.template.spec;
const podLabels: Labels = deployment.spec.template.metadata.labels;
const container = podSpec.containers[0];
const config = only("ConfigMap").data ?? {};

/** A label selector's matchLabels select the Deployment's pods. */
function selectsPods(matchLabels: Labels | undefined): boolean {
  return matchLabels !== undefined
    && Object.keys(matchLabels).length > 0
    && Object.entries(matchLabels).every(([key, value]) => podLabels[key] === value);
}

/** A probe's or Service's port (a number or a container port name) as the container port number. */
function containerPort(port: number | string): number | undefined {
  const ports: { name?: string; containerPort: number }[] = container.ports;
  return typeof port === "number" ? ports.find((p) => p.containerPort === port)?.containerPort
    : ports.find((p) => p.name === port)?.containerPort;
}

describe("Kubernetes manifests", () => {
  it.each(manifests.map(({ file, doc }) => [`${file}: ${doc.kind}`, doc] as const))(
    "%s is valid against the Kubernetes API schema",
    (_, doc) => {
      const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
      expect(Model, `no schema for ${doc.apiVersion} ${doc.kind}: add it to MODELS`).toBeDefined();
      expect(() => new Model!(doc as never).validate()).not.toThrow();
    },
  );

  it("kustomization.yaml lists every manifest except the example Secret", () => {
    const kustomization = parse(readFileSync(join(K8S_DIR, "kustomization.yaml"), "utf8")) as { resources: string[] };
    const files = [...new Set(applied.map(({ file }) => file))];
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(kustomization.resources).not.toContain("secret.example.yaml");
  });

  it("runs 3 replicas of the http command on the port the ConfigMap names", () => {
    expect(deployment.spec.replicas).toBe(3);
    expect(container.args).toEqual(["http"]);
    expect(containerPort("http")).toBe(Number(config.CUSTOMER_MCP_HTTP_PORT));
    expect(config.CUSTOMER_MCP_HTTP_HOST).toBe("0.0.0.0");
  });

  it("probes liveness and start-up on /healthz and readiness on /readyz, on the container port", () => {
    const port = Number(config.CUSTOMER_MCP_HTTP_PORT);
    for (const [probe, path] of [["livenessProbe", "/healthz"], ["startupProbe", "/healthz"], ["readinessProbe", "/readyz"]]) {
      expect(container[probe!]?.httpGet?.path, probe).toBe(path);
      expect(containerPort(container[probe!].httpGet.port), probe).toBe(port);
    }
  });

  it("runs as a non-root user on a read-only root filesystem, without privileges", () => {
    expect(podSpec.securityContext.runAsNonRoot).toBe(true);
    expect(podSpec.securityContext.runAsUser).toBeGreaterThan(0);
    expect(podSpec.securityContext.seccompProfile.type).toBe("RuntimeDefault");
    const security = container.securityContext;
    expect(security.runAsNonRoot).toBe(true);
    expect(security.readOnlyRootFilesystem).toBe(true);
    expect(security.allowPrivilegeEscalation).toBe(false);
    expect(security.capabilities.drop).toContain("ALL");
    expect(security.capabilities.add ?? []).toEqual([]);
    expect(podSpec.automountServiceAccountToken).toBe(false);
  });

  it("gives SIGTERM longer than the preStop pause plus the shutdown grace before SIGKILL", () => {
    const graceMs = Number(config.CUSTOMER_MCP_SHUTDOWN_GRACE_MS);
    expect(graceMs).toBeGreaterThan(0);
    const preStop: string[] = container.lifecycle?.preStop?.exec?.command ?? [];
    const pauseMs = preStop[0] === "sleep" ? Number(preStop[1]) * 1000 : 0;
    expect(podSpec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(pauseMs + graceMs);
  });

  it("sets resource requests and a memory limit, and a heap below it", () => {
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.requests.memory).toBeDefined();
    const limitMi = Number(/^(\d+)Mi$/.exec(container.resources.limits.memory)?.[1]);
    const heapMi = Number(/--max-old-space-size=(\d+)/.exec(config.NODE_OPTIONS ?? "")?.[1]);
    expect(heapMi).toBeGreaterThan(0);
    expect(heapMi).toBeLessThan(limitMi);
  });

  it("spreads the pods over zones and nodes", () => {
    const keys = podSpec.topologySpreadConstraints.map((c: { topologyKey: string }) => c.topologyKey);
    expect(keys).toEqual(expect.arrayContaining(["topology.kubernetes.io/zone", "kubernetes.io/hostname"]));
    for (const constraint of podSpec.topologySpreadConstraints) {
      expect(selectsPods(constraint.labelSelector.matchLabels)).toBe(true);
    }
  });

  it("selects the Deployment's pods from the Deployment, Service, PodDisruptionBudget and NetworkPolicy", () => {
    expect(selectsPods(deployment.spec.selector.matchLabels)).toBe(true);
    expect(selectsPods(only("Service").spec.selector)).toBe(true);
    expect(selectsPods(only("PodDisruptionBudget").spec.selector.matchLabels)).toBe(true);
    expect(selectsPods(only("NetworkPolicy").spec.podSelector.matchLabels)).toBe(true);
  });

  it("points the Service at the container port, and the Ingress at the Service", () => {
    const service = only("Service");
    for (const port of service.spec.ports) {
      expect(containerPort(port.targetPort)).toBe(Number(config.CUSTOMER_MCP_HTTP_PORT));
    }
    const paths = only("Ingress").spec.rules.flatMap((rule: { http: { paths: unknown[] } }) => rule.http.paths);
    expect(paths.map((p: { path: string }) => p.path)).toEqual(["/mcp", "/.well-known/oauth-protected-resource"]);
    for (const { backend } of paths) {
      expect(backend.service.name).toBe(service.metadata.name);
      expect(service.spec.ports.map((p: { name: string }) => p.name)).toContain(backend.service.port.name);
    }
  });

  it("scales the Deployment with an autoscaling/v2 HPA from its replica count up", () => {
    const hpa = only("HorizontalPodAutoscaler");
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBe(deployment.spec.replicas);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
  });

  it("lets voluntary disruptions take fewer pods than run", () => {
    const pdb = only("PodDisruptionBudget");
    expect(pdb.spec.maxUnavailable).toBeLessThan(deployment.spec.replicas);
  });

  it("admits traffic only on the container port and allows DNS out", () => {
    const policy = only("NetworkPolicy");
    expect(policy.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    const ports = policy.spec.ingress.flatMap((rule: { ports: { port: number }[] }) => rule.ports.map((p) => p.port));
    expect(ports).toEqual([Number(config.CUSTOMER_MCP_HTTP_PORT)]);
    for (const rule of policy.spec.ingress) expect(rule.from.length).toBeGreaterThan(0);
    const egressPorts = policy.spec.egress.flatMap((rule: { ports: { port: number }[] }) =>
      rule.ports.map((p) => p.port));
    expect(egressPorts).toContain(53);
  });

  it("reads its settings from the ConfigMap and the Secret the example describes", () => {
    const example = manifests.find(({ file }) => file === "secret.example.yaml")?.doc;
    expect(container.envFrom).toEqual([
      { configMapRef: { name: only("ConfigMap").metadata.name } },
      { secretRef: { name: example?.metadata.name } },
    ]);
    // Secrets stay out of the ConfigMap.
    for (const name of Object.keys(example?.stringData ?? {})) expect(config).not.toHaveProperty(name);
  });
});

describe("secrets", () => {
  const deployFiles = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? deployFiles(path) : [path];
    });

  it("commits no Secret with real data: only *.example.yaml files, with placeholders", () => {
    const secrets = deployFiles("deploy")
      .filter((file) => /\.ya?ml$/.test(file))
      .flatMap((file) => parseAllDocuments(readFileSync(file, "utf8")).map((d) => ({ file, doc: d.toJS() as Manifest })))
      .filter(({ doc }) => doc?.kind === "Secret");
    expect(secrets.length).toBeGreaterThan(0);
    for (const { file, doc } of secrets) {
      expect(file).toMatch(/\.example\.yaml$/);
      expect(doc.data, file).toBeUndefined();
      for (const [key, value] of Object.entries(doc.stringData ?? {})) expect(value, key).toMatch(/^<replace: .+>$/);
    }
  });
});

/** The Dockerfile as instructions (continuation lines joined, comments dropped), and those of its last stage. */
function dockerfile(): { all: string[]; runtime: string[] } {
  const all = readFileSync("Dockerfile", "utf8")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const lastFrom = all.findLastIndex((line) => /^FROM\s/i.test(line));
  return { all, runtime: all.slice(lastFrom) };
}

describe("Dockerfile", () => {
  const { all, runtime } = dockerfile();
  const instruction = (name: string) => runtime.filter((line) => line.toUpperCase().startsWith(`${name} `));

  it("builds and runs on node:20-slim, pinned by tag", () => {
    expect(all).toContain("ARG NODE_IMAGE=node:20-slim");
    for (const from of all.filter((line) => /^FROM\s/i.test(line))) expect(from).toMatch(/^FROM \$\{NODE_IMAGE\}/);
  });

  it("runs the bundle as a non-root user", () => {
    const users = instruction("USER");
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.split(/\s+/)[1]!.split(":")[0];
    expect(["root", "0"]).not.toContain(user);
    expect(instruction("ENTRYPOINT")).toEqual(['ENTRYPOINT ["node", "dist/index.js"]']);
    expect(instruction("CMD")).toEqual(['CMD ["http"]']);
    expect(instruction("COPY").join("\n")).not.toMatch(/node_modules/);
  });

  it("has a health check on /healthz without curl, exposes 8080 and stops with SIGTERM", () => {
    const [healthcheck] = instruction("HEALTHCHECK");
    expect(healthcheck).toMatch(/CMD \["node", "-e", .*\/healthz/);
    expect(healthcheck).not.toMatch(/curl|wget/);
    expect(instruction("EXPOSE")).toEqual(["EXPOSE 8080"]);
    expect(instruction("STOPSIGNAL")).toEqual(["STOPSIGNAL SIGTERM"]);
    const env = instruction("ENV").join(" ");
    expect(env).toContain("CUSTOMER_MCP_HTTP_HOST=0.0.0.0");
    expect(env).toContain("CUSTOMER_MCP_HTTP_PORT=8080");
  });

  it("keeps secrets and local builds out of the build context", () => {
    const ignored = readFileSync(".dockerignore", "utf8").split("\n");
    expect(ignored).toEqual(expect.arrayContaining([".env", ".git", "node_modules", "dist"]));
  });
});

interface ComposeService {
  image?: string;
  command?: string[];
  entrypoint?: string[];
  network_mode?: string;
  environment?: Record<string, string>;
  stop_grace_period?: string;
  ports?: string[];
}

describe("compose", () => {
  const compose = parse(readFileSync("deploy/compose.yaml", "utf8"), { merge: true }) as { services: Record<string, ComposeService> };
  const services = compose.services;
  const replicas = Object.entries(services).filter(([, service]) => service.command?.[0] === "http");
  const realm = JSON.parse(readFileSync("deploy/keycloak/customer-mcp-realm.json", "utf8")) as {
    realm: string;
    clientScopes: { name: string; protocolMappers?: { protocolMapper: string; config: Record<string, string> }[] }[];
  };

  it("runs Redis, the sandbox, two replicas, an identity provider and a reverse proxy", () => {
    expect(Object.keys(services).sort()).toEqual(["keycloak", "mcp-1", "mcp-2", "proxy", "redis", "sandbox"]);
    expect(replicas.map(([name]) => name)).toEqual(["mcp-1", "mcp-2"]);
    expect(services.sandbox!.entrypoint!.join(" ")).toContain("dist/index.js sandbox --port 4010");
  });

  it("gives both replicas the one sandbox, Redis and a port each that nginx balances over", () => {
    const ports = replicas.map(([, service]) => service.environment!.CUSTOMER_MCP_HTTP_PORT);
    expect(new Set(ports).size).toBe(replicas.length);
    const nginx = readFileSync("deploy/nginx.conf", "utf8");
    const upstream = [...nginx.matchAll(/^\s*server sandbox:(\d+)/gm)].map((match) => match[1]);
    expect(upstream).toEqual(ports);
    for (const [name, service] of replicas) {
      expect(service.network_mode, name).toBe("service:sandbox");
      expect(service.environment!.CUSTOMER_API_URL, name).toBe("http://127.0.0.1:4010");
      expect(service.environment!.CUSTOMER_MCP_REDIS_URL, name).toMatch(/^redis:\/\/redis:/);
      expect(service.environment!.CUSTOMER_MCP_HTTP_AUTH, name).toBeUndefined();
      const graceMs = Number(service.environment!.CUSTOMER_MCP_SHUTDOWN_GRACE_MS);
      expect(Number(/^(\d+)s$/.exec(service.stop_grace_period ?? "")?.[1]) * 1000, name).toBeGreaterThan(graceMs);
    }
  });

  it("publishes ports on loopback only", () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it("has Keycloak issue tokens for the replicas' issuer, audience and scopes", () => {
    const env = replicas[0]![1].environment!;
    const keycloak = services.keycloak!.environment!;
    expect(env.CUSTOMER_MCP_OAUTH_ISSUER).toBe(`${keycloak.KC_HOSTNAME}/realms/${realm.realm}`);
    const audiences = realm.clientScopes
      .flatMap((scope) => scope.protocolMappers ?? [])
      .filter((mapper) => mapper.protocolMapper === "oidc-audience-mapper")
      .map((mapper) => mapper.config["included.custom.audience"]);
    expect(audiences).toEqual([env.CUSTOMER_MCP_PUBLIC_URL]);
    const prefix = env.CUSTOMER_MCP_OAUTH_SCOPE_PREFIX!;
    const scopes = realm.clientScopes.map((scope) => scope.name).filter((name) => name.startsWith(prefix));
    expect(scopes.sort()).toEqual(SCOPES.map((scope) => `${prefix}${scope}`).sort());
    // A realm file that lists client scopes gets none of Keycloak's defaults: `sub` must be mapped explicitly.
    expect(realm.clientScopes.flatMap((s) => s.protocolMappers ?? []).map((m) => m.protocolMapper)).toContain("oidc-sub-mapper");
  });
});

describe("variable names", () => {
  const files = [
    "Dockerfile",
    "deploy/compose.yaml",
    "deploy/nginx.conf",
    "deploy/sandbox-key.sh",
    ...readdirSync(K8S_DIR).map((file) => join(K8S_DIR, file)),
    "docs/remote.md",
  ];

  // Fails until the HTTP, OAuth and Redis variables (issue 15) are added to src/config/env.ts.
  it.each(files)("%s names only variables the server reads (keys of VARIABLES in src/config/env.ts)", (file) => {
    const names = new Set([...readFileSync(file, "utf8").matchAll(/\bCUSTOMER_[A-Z0-9_]*[A-Z0-9]\b/g)].map((m) => m[0]));
    expect([...names].filter((name) => !(name in VARIABLES))).toEqual([]);
  });
});
