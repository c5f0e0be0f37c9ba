import { KEY_MODES, type KeyMode } from "@/db/schema";
import { WEBHOOK_EVENT_TYPES } from "@/server/contract/vocabulary";
import { modeScope, orgScope } from "../../domain/scope";
import { projectOrg } from "../../projects/service";
import { createWebhookEndpoint, deleteWebhookEndpoint, listWebhookEndpoints } from "../../webhooks/endpoints";
import { checkId, oneOf, UsageError } from "../args";
import { defineCommand, listOutput, OPERATOR } from "../command";

const CLI_ACTOR = OPERATOR.actor;

function parseEvents(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const events = value.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = events.filter((e) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(e));
  if (!events.length || unknown.length) {
    throw new UsageError(`--events must be a comma-separated list of ${WEBHOOK_EVENT_TYPES.join(", ")}${unknown.length ? ` (unknown: ${unknown.join(", ")})` : ""}`);
  }
  return events;
}

export const webhooksCreate = defineCommand({
  words: ["webhooks", "create"],
  required: ["project", "url"],
  optional: ["events", "mode", "description"],
  synopsis: "--project PRJ --url URL [--events a,b] [--mode live|test] [--description TEXT]",
  async prepare({ flags }) {
    const projectId = checkId("--project", "prj", flags.project);
    const events = parseEvents(flags.events);
    const mode: KeyMode = oneOf("--mode", flags.mode ?? "live", KEY_MODES);
    return async (ctx) => {
      const scope = modeScope(orgScope(await projectOrg(ctx, projectId), CLI_ACTOR), mode);
      const body = { url: flags.url, ...(events && { events }), ...(flags.description && { description: flags.description }) };
      const endpoint = await createWebhookEndpoint(ctx, scope, { projectId, readBody: async () => body });
      return {
        json: { id: endpoint.id, secret: endpoint.secret },
        human: `Created ${mode} webhook endpoint ${endpoint.id} for ${endpoint.url} (events: ${endpoint.events.join(", ")}).\n${endpoint.secret}\nThis secret is shown only once: store it now.`,
      };
    };
  },
});

export const webhooksList = defineCommand({
  words: ["webhooks", "list"],
  required: ["project"],
  synopsis: "--project PRJ",
  async prepare({ flags }) {
    const projectId = checkId("--project", "prj", flags.project);
    return async (ctx) => {
      const org = orgScope(await projectOrg(ctx, projectId), CLI_ACTOR);
      const data = [];
      // Both modes: the operator sees every endpoint of the project (a mode has at most ten, one page).
      for (const mode of KEY_MODES) {
        const page = await listWebhookEndpoints(ctx, modeScope(org, mode), { projectId, limit: "100" });
        data.push(...page.data.map((endpoint) => ({ ...endpoint, mode })));
      }
      return listOutput(data, `Webhook endpoints of ${projectId}`, `Project ${projectId} has no webhook endpoints.`, (e) => `${e.id}  ${e.mode}  ${e.status}  ${e.url}`);
    };
  },
});

export const webhooksDelete = defineCommand({
  words: ["webhooks", "delete"],
  operands: ["ID"],
  synopsis: "ID",
  async prepare({ operands }) {
    const endpointId = checkId("ID", "we", operands.ID);
    return async (ctx) => {
      const deleted = await deleteWebhookEndpoint(ctx, OPERATOR, endpointId);
      return { json: { id: deleted.id }, human: `Deleted webhook endpoint ${deleted.id}.` };
    };
  },
});
