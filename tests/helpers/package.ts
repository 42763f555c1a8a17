// The package as a user gets it: `npm pack` to a temporary folder, the tarball installed offline into an empty
// project there, so `npx customer-mcp` in that folder resolves the local bin without a registry. Also a small
// JSON-RPC client over the stdio of any command (npx, a README snippet's command), with bounded waits.
import { type ChildProcessWithoutNullStreams, execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface InstalledPackage {
  /** The temporary folder holding the tarball, the install and npm's cache; cleanup() removes it. */
  root: string;
  tarball: string;
  tarballBytes: number;
  /** Paths inside the tarball, as `npm pack --json` lists them. */
  files: string[];
  /** The project the tarball is installed in: `npx customer-mcp` run here finds node_modules/.bin. */
  installDir: string;
  /**
   * Environment for npm and npx: a private cache and user config, and offline, so no command in a test can
   * reach a registry. A snippet that would need one fails instead of passing on a network fetch.
   */
  npmEnv: Record<string, string>;
  cleanup(): Promise<void>;
}

/** Packs the repository (dist/ must be built) and installs the tarball into an empty project, offline. */
export async function packAndInstall(): Promise<InstalledPackage> {
  const root = await mkdtemp(join(tmpdir(), "customer-mcp-package-"));
  const userConfig = join(root, "npmrc");
  await writeFile(userConfig, "");
  const npmEnv: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? root,
    npm_config_cache: join(root, "npm-cache"),
    npm_config_userconfig: userConfig,
    npm_config_offline: "true",
    npm_config_update_notifier: "false",
    npm_config_audit: "false",
    npm_config_fund: "false",
  };
  try {
    const packed = await run(
      "npm",
      ["pack", "--json", "--ignore-scripts", "--pack-destination", root],
      { cwd: resolve("."), env: npmEnv, timeout: 60_000 },
    );
    const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    if (!info) throw new Error(`npm pack printed no package: ${packed.stdout}`);
    const tarball = join(root, info.filename);
    const installDir = join(root, "project");
    await mkdir(installDir);
    await writeFile(join(installDir, "package.json"), `${JSON.stringify({ name: "install-check", private: true })}\n`);
    await run("npm", ["install", "--no-audit", "--no-fund", "--offline", tarball], {
      cwd: installDir,
      env: npmEnv,
      timeout: 60_000,
    });
    return {
      root,
      tarball,
      tarballBytes: (await stat(tarball)).size,
      files: info.files.map((file) => file.path),
      installDir,
      npmEnv,
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

export interface StdioSession {
  child: ChildProcessWithoutNullStreams;
  stdoutLines: string[];
  stderrLines: string[];
  /** Sends a request; resolves with the response of the same id, rejects on timeout or when the process ends. */
  request(method: string, params?: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, unknown>>;
  notify(method: string, params?: Record<string, unknown>): void;
  /** initialize + notifications/initialized; returns the initialize result. */
  initialize(): Promise<Record<string, unknown>>;
  /** Closes stdin (how a client says goodbye) and waits for the exit code; kills the process group if it hangs. */
  close(timeoutMs?: number): Promise<number | null>;
}

export interface StdioOptions {
  cwd: string;
  env: Record<string, string>;
}

/** Starts `command args` (no shell) in its own process group, so npx and the server it starts die together. */
export function startStdio(command: string, args: readonly string[], options: StdioOptions): StdioSession {
  const child = spawn(command, [...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  const stdoutLines: string[] = [];
  const stderrLines: string[] = [];
  const waiting = new Map<
    number,
    { resolve: (message: Record<string, unknown>) => void; reject: (error: Error) => void }
  >();
  let nextId = 1;
  let exitCode: number | null | undefined;
  let spawnError: Error | undefined;

  const describe = () =>
    `${command} ${args.join(" ")}${exitCode === undefined ? "" : ` (exited ${exitCode})`}` +
    `${spawnError ? `: ${spawnError.message}` : ""}\nstderr:\n${stderrLines.slice(-20).join("\n")}`;

  createInterface({ input: child.stdout }).on("line", (line) => {
    stdoutLines.push(line);
    try {
      const message = JSON.parse(line) as Record<string, unknown>;
      if (typeof message.id === "number") waiting.get(message.id)?.resolve(message);
    } catch {
      // Kept in stdoutLines for the caller to assert on.
    }
  });
  createInterface({ input: child.stderr }).on("line", (line) => stderrLines.push(line));
  const exited = new Promise<number | null>((done) => {
    child.on("error", (error) => {
      spawnError = error;
      exitCode = null;
      done(null);
    });
    child.on("exit", (code) => {
      exitCode = code;
      done(code);
    });
  });
  void exited.then(() => {
    for (const { reject } of waiting.values()) reject(new Error(`process ended before answering: ${describe()}`));
  });
  // A server that exits early makes writes fail with EPIPE; the pending request reports it instead.
  child.stdin.on("error", () => undefined);

  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  const writeLine = (message: Record<string, unknown>) => child.stdin.write(`${JSON.stringify(message)}\n`);

  const session: StdioSession = {
    child,
    stdoutLines,
    stderrLines,
    notify(method, params) {
      writeLine({ jsonrpc: "2.0", method, ...(params ? { params } : {}) });
    },
    request(method, params, timeoutMs = 20_000) {
      const id = nextId++;
      return new Promise((resolveRequest, rejectRequest) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          rejectRequest(new Error(`no answer to ${method} within ${timeoutMs} ms: ${describe()}`));
        }, timeoutMs);
        const settle = () => {
          clearTimeout(timer);
          waiting.delete(id);
        };
        waiting.set(id, {
          resolve: (message) => {
            settle();
            resolveRequest(message);
          },
          reject: (error) => {
            settle();
            rejectRequest(error);
          },
        });
        if (exitCode !== undefined) {
          settle();
          rejectRequest(new Error(`process already ended: ${describe()}`));
          return;
        }
        writeLine({ jsonrpc: "2.0", id, method, ...(params ? { params } : {}) });
      });
    },
    async initialize() {
      const response = await session.request("initialize", {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "package-e2e", version: "1.0.0" },
      });
      if (!response.result) throw new Error(`initialize failed: ${JSON.stringify(response)}`);
      session.notify("notifications/initialized");
      return response.result as Record<string, unknown>;
    },
    async close(timeoutMs = 10_000) {
      child.stdin.end();
      const timer = setTimeout(killGroup, timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      // npx may leave nothing behind, but a stray grandchild must not outlive the test.
      killGroup();
      return code;
    },
  };
  return session;
}

/**
 * Runs `steps` against a session, then closes it and returns the exit code. A failing step closes the session
 * and rethrows, so its error (which carries the process's stderr) is what the test reports.
 */
export async function runSession(session: StdioSession, steps: () => Promise<void>): Promise<number | null> {
  try {
    await steps();
  } catch (error) {
    await session.close();
    throw error;
  }
  return session.close();
}

/** Runs a command to completion (no shell) and returns its status and output; never throws on a non-zero exit. */
export async function runCommand(
  command: string,
  args: readonly string[],
  options: StdioOptions & { timeoutMs?: number },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(command, [...args], {
      cwd: options.cwd,
      env: options.env,
      timeout: options.timeoutMs ?? 30_000,
    });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    return {
      status: typeof failed.code === "number" ? failed.code : null,
      stdout: failed.stdout ?? "",
      stderr: failed.stderr ?? String(error),
    };
  }
}
