// `customer-mcp sandbox`: the built-in customer API on its own, for trying the HTTP service or another client
// against it. Its key and client secret are printed on stderr, new at every start.
import type { Command } from "../config/config.js";
import { createLogger, flushLogger } from "../logger.js";
import { onShutdownSignal } from "./process.js";

export async function runStandaloneSandbox(command: Extract<Command, { kind: "sandbox" }>): Promise<void> {
  const logger = createLogger({ level: command.logLevel });
  const { startSandbox } = await import("../sandbox/index.js");
  const sandbox = await startSandbox({
    port: command.port,
    seed: command.seed,
    faults: command.faults,
    logger,
  });
  // The key and the client secret are new at every start (any local process can reach the port, so nothing
  // fixed may open it); the person who started the sandbox reads them here, on stderr.
  process.stderr.write(
    `Sandbox customer API on ${sandbox.url} (API key: ${sandbox.apiKey}). Ctrl-C stops it.\n`
    + `OAuth client credentials: token URL ${sandbox.url}/oauth/token, client id ${sandbox.clientId}, `
    + `client secret ${sandbox.clientSecret}. Both are new at every start.\n`,
  );
  onShutdownSignal(
    async () => {
      await sandbox.close();
      await flushLogger(logger);
    },
    { watchStdin: false, forced: async () => {} },
  );
}
