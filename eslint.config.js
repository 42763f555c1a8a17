// Lint and style rules. One tool: ESLint with typescript-eslint for correctness and @stylistic for layout.
// (Biome was the first choice, but its platform binaries are not all on the registry mirror this project
// installs from, so `npm ci` could not reproduce its lockfile.)
import js from "@eslint/js";
import stylistic from "@stylistic/eslint-plugin";
import tseslint from "typescript-eslint";

const ONLY_API_SPEAKS_HTTP = {
  name: "axios",
  message: "Only src/api/ talks HTTP: tools and resources go through ctx.api.",
};
// The pipeline, policies and definitions stay free of the SDK, so a transport or SDK change touches the adapters only.
const ONLY_ADAPTERS_SPEAK_MCP = {
  group: ["@modelcontextprotocol/sdk", "@modelcontextprotocol/sdk/*"],
  message: "Only src/mcp/, src/transports/ and src/index.ts import the MCP SDK; return plain data and let the adapters translate.",
};

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  stylistic.configs.customize({
    indent: 2,
    quotes: "double",
    semi: true,
    commaDangle: "always-multiline",
    braceStyle: "1tbs",
    arrowParens: true,
  }),
  {
    rules: {
      "@stylistic/max-len": ["error", { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreUrls: true }],
      "@stylistic/operator-linebreak": "off",
      "@stylistic/quotes": ["error", "double", { avoidEscape: true }],
      "@stylistic/quote-props": ["error", "as-needed"],
      "@stylistic/lines-between-class-members": ["error", "always", { exceptAfterSingleLine: true }],
      "@stylistic/multiline-ternary": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    files: ["src/**/*.ts"],
    rules: {
      // stdout carries JSON-RPC only: one stray console.log corrupts the client's stream.
      "no-console": ["error", { allow: ["error"] }],
      "no-restricted-properties": [
        "error",
        { object: "process", property: "stdout", message: "stdout is reserved for JSON-RPC; log to stderr with pino." },
      ],
      "no-restricted-imports": ["error", { paths: [ONLY_API_SPEAKS_HTTP], patterns: [ONLY_ADAPTERS_SPEAK_MCP] }],
    },
  },
  {
    files: ["src/api/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [ONLY_ADAPTERS_SPEAK_MCP] }] },
  },
  {
    files: ["src/mcp/**/*.ts", "src/transports/**/*.ts", "src/index.ts"],
    rules: { "no-restricted-imports": ["error", { paths: [ONLY_API_SPEAKS_HTTP] }] },
  },
);
