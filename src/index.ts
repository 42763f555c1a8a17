#!/usr/bin/env node
// CLI entry: flags and environment → a command, run by its module in src/cli/: stdio (serve-stdio.ts), the HTTP
// service (serve-http.ts), the sandbox or doctor. stdout is reserved for JSON-RPC: only --help and --version print
// to it, before any server exists. Each command loads only what it needs.
import { type Command, HELP_TEXT, parseCommand } from "./config/config.js";
import { exitOnConfigurationError } from "./cli/process.js";
import { TOOL_NAMES } from "./tools/index.js";
import { readPackageInfo } from "./version.js";

async function main(): Promise<void> {
  let command: Command;
  try {
    command = parseCommand(process.argv.slice(2), process.env, TOOL_NAMES);
  } catch (error) {
    exitOnConfigurationError(error);
  }
  switch (command.kind) {
    // --help and --version are the only stdout writes: they run before any server exists.
    case "help":
      // eslint-disable-next-line no-restricted-properties
      process.stdout.write(HELP_TEXT);
      return;
    case "version":
      // eslint-disable-next-line no-restricted-properties
      process.stdout.write(`${readPackageInfo().version}\n`);
      return;
    case "sandbox":
      return (await import("./cli/sandbox.js")).runStandaloneSandbox(command);
    case "serve":
      return (await import("./cli/serve-stdio.js")).serveStdio(command.config);
    case "http":
      return (await import("./cli/serve-http.js")).serveHttp(command);
    case "doctor":
      return (await import("./cli/doctor.js")).doctorCommand(command.config);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`customer-mcp: fatal: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
