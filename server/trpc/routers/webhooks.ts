import { z } from "zod";
import { ids } from "@/server/contract/ids";
import { WEBHOOK_EVENT_TYPES } from "@/server/contract/vocabulary";
import { cursorSchema } from "../../pagination";
import { createWebhookEndpoint, deleteWebhookEndpoint, rotateWebhookSecret, sendTestWebhook, setWebhookEndpointEnabled } from "../../webhooks/endpoints";
import { getDelivery, listDeliveries, listOrgEndpoints, resendDelivery } from "../../webhooks/history";
import { callInMode } from "../domain";
import { adminModeProcedure, orgModeProcedure, router } from "../init";

/**
 * The console's webhooks (CONTRACT.md §8), in the mode the console shows:
 * endpoints are mode data, so one of the other mode is as absent as one of
 * another organization. Members read everything, including payloads; only
 * owners and admins change anything.
 */
export const webhooksRouter = router({
  list: orgModeProcedure.input(z.object({ projectId: ids.prj.optional() })).query(({ ctx, input }) => listOrgEndpoints(...callInMode(ctx), input)),
  deliveries: orgModeProcedure
    .input(z.object({ endpointId: ids.we, cursor: cursorSchema.optional() }))
    .query(({ ctx, input }) => listDeliveries(...callInMode(ctx), input)),
  delivery: orgModeProcedure.input(z.object({ id: ids.whd })).query(({ ctx, input }) => getDelivery(...callInMode(ctx), input.id)),

  // The body's own rules (URL length, event list, description) are the domain's, as on REST, so both say the same thing.
  create: adminModeProcedure
    .input(z.object({ projectId: ids.prj, url: z.string(), events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).optional(), description: z.string().optional() }))
    .mutation(({ ctx, input }) =>
      createWebhookEndpoint(...callInMode(ctx), {
        projectId: input.projectId,
        readBody: async () => ({ url: input.url, events: input.events, description: input.description }),
      }),
    ),
  sendTest: adminModeProcedure.input(z.object({ id: ids.we })).mutation(({ ctx, input }) => sendTestWebhook(...callInMode(ctx), input.id)),
  resend: adminModeProcedure.input(z.object({ deliveryId: ids.whd })).mutation(({ ctx, input }) => resendDelivery(...callInMode(ctx), input.deliveryId)),
  setEnabled: adminModeProcedure
    .input(z.object({ id: ids.we, enabled: z.boolean() }))
    .mutation(({ ctx, input }) => setWebhookEndpointEnabled(...callInMode(ctx), input.id, input.enabled)),
  rotateSecret: adminModeProcedure.input(z.object({ id: ids.we })).mutation(({ ctx, input }) => rotateWebhookSecret(...callInMode(ctx), input.id)),
  delete: adminModeProcedure.input(z.object({ id: ids.we })).mutation(({ ctx, input }) => deleteWebhookEndpoint(...callInMode(ctx), input.id)),
});
