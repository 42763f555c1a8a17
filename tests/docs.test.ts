// Documentation that must not drift from the code: every environment variable the server reads is in the
// README's configuration table, in .env.example and in --help (generated), and every tool, scope and error code
// is in the README.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HELP_TEXT } from "../src/config/config.js";
import { VARIABLES } from "../src/config/env.js";
import { ERROR_CODES } from "../src/errors.js";
import { SCOPES } from "../src/policy/access.js";
import { allTools } from "../src/tools/index.js";

const readme = readFileSync("README.md", "utf8");
const envExample = readFileSync(".env.example", "utf8");

describe("documentation", () => {
  it.each(Object.keys(VARIABLES))("documents %s in the README table, .env.example and --help", (name) => {
    expect(readme).toContain(`| \`${name}\` |`);
    expect(envExample).toMatch(new RegExp(`^${name}=`, "m"));
    expect(HELP_TEXT).toContain(name);
  });

  it("lists no variable the server does not read", () => {
    const documented = [...envExample.matchAll(/^([A-Z_]+)=/gm)].map((match) => match[1]);
    expect(documented.filter((name) => !(name && name in VARIABLES))).toEqual([]);
  });

  it.each(allTools.map((tool) => tool.name))("lists the tool %s in the README", (name) => {
    expect(readme).toContain(`| \`${name}\` |`);
  });

  it.each(SCOPES)("names the scope %s in the README's security model", (scope) => {
    expect(readme.slice(readme.indexOf("## Security model"))).toContain(`\`${scope}\``);
  });

  it.each(ERROR_CODES)("explains the error code %s in the README's error table", (code) => {
    const table = readme.slice(readme.indexOf("| error_code | meaning |"), readme.indexOf("## Configuration"));
    expect(table).toMatch(new RegExp(`^\\| [^|]*\`${code}\``, "m"));
  });
});
