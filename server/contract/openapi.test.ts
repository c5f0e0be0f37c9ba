import { readFileSync } from "node:fs";
import { join } from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { describe, expect, it } from "vitest";
import { ERROR_STATUS } from "./errors";
import { openApiPath, openApiText } from "./openapi";
import { ROUTES } from "./routes";

const doc = JSON.parse(openApiText());

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1 (swagger-parser)", async () => {
    const api = (await SwaggerParser.validate(structuredClone(doc))) as { openapi?: string };
    expect(api.openapi).toBe("3.1.0");
  });

  it("is committed as openapi.json, up to date", () => {
    const committed = readFileSync(join(import.meta.dirname, "..", "..", "openapi.json"), "utf8");
    expect(committed === openApiText(), "openapi.json is stale: run `npm run openapi` and commit it").toBe(true);
  });

  it("has every route of the table, and nothing else", () => {
    const operations = Object.entries(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`),
    );
    expect(operations.sort()).toEqual(ROUTES.map((r) => `${r.method} ${openApiPath(r.path)} ${r.id}`).sort());
  });

  it.each(ROUTES)("$id: every status, every error code and the scopes", (route) => {
    const op = doc.paths[openApiPath(route.path)][route.method.toLowerCase()];
    const statuses = Object.keys(op.responses).map(Number);
    for (const status of Object.keys(route.responses).map(Number)) expect(statuses).toContain(status);
    for (const code of route.errors) {
      const response = op.responses[ERROR_STATUS[code]];
      expect(response.description, code).toContain(`\`${code}\``);
      expect(response.content["application/json"].schema.allOf[1].properties.error.properties.code.enum).toContain(code);
    }
    expect(op.security).toEqual(route.scopes ? route.scopes.map((scope) => ({ apiKey: [scope] })) : []);
  });

  it("lists both codes where two share a status", () => {
    const forbidden = doc.paths[openApiPath("/v1/projects/:projectId/social/oauth-url")].post.responses["403"];
    expect(forbidden.content["application/json"].schema.allOf[1].properties.error.properties.code.enum).toEqual(["FORBIDDEN_SCOPE", "RETURN_URL_NOT_ALLOWED"]);
    expect(forbidden.description).toMatch(/FORBIDDEN_SCOPE.*RETURN_URL_NOT_ALLOWED/);
  });

  it("describes the Bearer key", () => {
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: "http", scheme: "bearer" });
  });
});
