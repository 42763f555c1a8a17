// Spawns the built server's HTTP service (`node dist/index.js http …`) on an ephemeral loopback port and waits
// for its "ready" line, which names the URL it listens on. Every process is killed after each test.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, afterEach } from "vitest";
import { DIST_ENTRY } from "./spawn.js";

export interface SpawnedHttpServer {
  readonly child: ChildProcess;
  /** http://127.0.0.1:PORT/mcp */
  readonly endpoint: string;
  readonly origin: string;
  readonly stderrLines: string[];
  /** Resolves with the exit code (or the signal's name) once the process ends. */
  readonly exited: Promise<number | string | null>;
}

/** Killed after each test, or after the file for servers several tests share. */
const perTest = new Set<ChildProcess>();
const perFile = new Set<ChildProcess>();
afterEach(() => {
  for (const child of perTest) child.kill("SIGKILL");
  perTest.clear();
});
afterAll(() => {
  for (const child of perFile) child.kill("SIGKILL");
  perFile.clear();
});

const READY_TIMEOUT_MS = 15_000;

export async function spawnHttpServer(
  args: string[],
  env: Record<string, string>,
  options: { lifetime?: "test" | "file" } = {},
): Promise<SpawnedHttpServer> {
  const child = spawn(process.execPath, [DIST_ENTRY, "http", "--port", "0", ...args], {
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const running = options.lifetime === "file" ? perFile : perTest;
  running.add(child);
  const exited = new Promise<number | string | null>((resolve) => {
    child.on("exit", (code, signal) => {
      running.delete(child);
      resolve(code ?? signal);
    });
  });
  const stderrLines: string[] = [];
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within ${READY_TIMEOUT_MS} ms:\n${stderrLines.join("\n")}`)), READY_TIMEOUT_MS);
    createInterface({ input: child.stderr as NonNullable<typeof child.stderr> }).on("line", (line) => {
      stderrLines.push(line);
      const url = /"url":"(http:\/\/[^"]+\/mcp)"/.exec(line)?.[1];
      if (url && line.includes("customer-mcp ready on")) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before it was ready:\n${stderrLines.join("\n")}`));
    });
  });
  return { child, endpoint, origin: new URL(endpoint).origin, stderrLines, exited };
}
