// Reading the access token from a request strictly: one Authorization header, the Bearer scheme, token68, and
// never a token in the URL.
import { describe, expect, it } from "vitest";
import { bearerCredentials, MAX_TOKEN_LENGTH } from "../../src/auth/bearer.js";

const TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

describe("bearerCredentials", () => {
  it("reads the token of the Bearer scheme, whatever its case, with one or more spaces", () => {
    for (const authorization of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `BEARER  ${TOKEN}`, ` Bearer ${TOKEN} `]) {
      expect(bearerCredentials({ authorization })).toEqual({ kind: "token", token: TOKEN });
    }
    expect(bearerCredentials({ authorization: "Bearer abc+/~-._==" })).toEqual({ kind: "token", token: "abc+/~-._==" });
  });

  it("finds no credentials without a header or in another scheme", () => {
    expect(bearerCredentials({ authorization: undefined })).toEqual({ kind: "none" });
    expect(bearerCredentials({ authorization: [] })).toEqual({ kind: "none" });
    expect(bearerCredentials({ authorization: "Basic dXNlcjpwYXNz" })).toEqual({ kind: "none" });
    expect(bearerCredentials({ authorization: "DPoP abc" })).toEqual({ kind: "none" });
  });

  it("refuses a Bearer scheme without a token, or with something that is not one token68", () => {
    for (const authorization of ["Bearer", "Bearer ", `Bearer ${TOKEN} extra`, `Bearer ${TOKEN}, Bearer ${TOKEN}`,
      "Bearer a=b=c", "Bearer =abc", 'Bearer "quoted"', "Bearer t\u00f6ken", `Bearer\t${TOKEN}`, "", "Bearer,x"]) {
      expect(bearerCredentials({ authorization }).kind, JSON.stringify(authorization)).toBe("invalid");
    }
  });

  it("refuses two Authorization headers, even if both are good", () => {
    expect(bearerCredentials({ authorization: [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`] })).toEqual({
      kind: "invalid",
      description: "Send one Authorization header.",
    });
    expect(bearerCredentials({ authorization: [`Bearer ${TOKEN}`] })).toEqual({ kind: "token", token: TOKEN });
  });

  it("refuses a token in the query string, with or without a header", () => {
    for (const url of [`/mcp?access_token=${TOKEN}`, "https://h.example.com/mcp?x=1&access_token="]) {
      const found = bearerCredentials({ authorization: `Bearer ${TOKEN}`, url });
      expect(found.kind).toBe("invalid");
      expect(found.kind === "invalid" && found.description).not.toContain(TOKEN);
      expect(bearerCredentials({ authorization: undefined, url }).kind).toBe("invalid");
    }
    expect(bearerCredentials({ authorization: `Bearer ${TOKEN}`, url: "/mcp?session=1" }).kind).toBe("token");
  });

  it("refuses a token longer than any real one", () => {
    const long = `Bearer ${"a".repeat(MAX_TOKEN_LENGTH + 1)}`;
    expect(bearerCredentials({ authorization: long })).toEqual({ kind: "invalid", description: "The access token is too long." });
    expect(bearerCredentials({ authorization: `Bearer ${"a".repeat(MAX_TOKEN_LENGTH)}` }).kind).toBe("token");
  });

  it("never repeats the token in a description", () => {
    for (const authorization of [`Bearer ${TOKEN} ${TOKEN}`, `Bearer ${TOKEN}\u00e9`]) {
      const found = bearerCredentials({ authorization });
      expect(found.kind === "invalid" && found.description).not.toContain(TOKEN);
    }
  });
});
