import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { Layers, LayersWebhookError } from "../src/index";
import { caught } from "./support";

/**
 * `Layers.webhooks.verify` against the official `standardwebhooks` package
 * signing the bodies (the library Layers signs its deliveries with): what it
 * signs verifies in every form a server framework hands over, and every kind
 * of tampering is refused with its own code. webhooks.test.ts does the same
 * with deliveries the server really sent.
 */
const newSecret = () => `whsec_${randomBytes(32).toString("base64")}`;
const body = JSON.stringify({ type: "webhook.test", timestamp: "2026-05-01T12:00:00.000Z", data: { endpointId: "we_01HX9Y7K8M2P4RSTV56789ABCD" } });

/** Standard Webhooks headers for `payload`, signed by the official library at `at`. */
function signed(secrets: string[], payload = body, at = new Date(), id = "evt_01HX9Y7K8M2P4RSTV56789ABCD") {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": secrets.map((secret) => new Webhook(secret).sign(id, at, payload)).join(" "),
  };
}

async function refusal(promise: Promise<unknown>): Promise<LayersWebhookError> {
  const error = await caught(() => promise);
  expect(error).toBeInstanceOf(LayersWebhookError);
  return error as LayersWebhookError;
}

describe("Layers.webhooks.verify", () => {
  it("answers the event of a body the standardwebhooks package signed", async () => {
    const secret = newSecret();
    expect(await Layers.webhooks.verify(body, signed([secret]), secret)).toEqual(JSON.parse(body));
  });

  it("takes the body as bytes, and the headers as a Headers or with names in any case", async () => {
    const secret = newSecret();
    const headers = signed([secret]);
    const upper = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toUpperCase(), value]));
    for (const form of [new Headers(headers), upper]) expect((await Layers.webhooks.verify(body, form, secret)).type).toBe("webhook.test");
    expect((await Layers.webhooks.verify(new TextEncoder().encode(body), headers, secret)).type).toBe("webhook.test");
    expect((await Layers.webhooks.verify(Buffer.from(body), headers, secret)).type).toBe("webhook.test");
  });

  it("accepts either of two signatures, as a rotation sends them", async () => {
    const [old, current] = [newSecret(), newSecret()];
    const headers = signed([old, current]);
    expect((await Layers.webhooks.verify(body, headers, old)).type).toBe("webhook.test");
    expect((await Layers.webhooks.verify(body, headers, current)).type).toBe("webhook.test");
  });

  it("refuses another secret's signature: INVALID_SIGNATURE", async () => {
    const headers = signed([newSecret()]);
    expect((await refusal(Layers.webhooks.verify(body, headers, newSecret()))).code).toBe("INVALID_SIGNATURE");
  });

  it("refuses a changed body, a changed id and a changed timestamp: INVALID_SIGNATURE", async () => {
    const secret = newSecret();
    const headers = signed([secret]);
    const changedBody = body.replace("webhook.test", "webhook.tesT");
    expect((await refusal(Layers.webhooks.verify(changedBody, headers, secret))).code).toBe("INVALID_SIGNATURE");
    expect((await refusal(Layers.webhooks.verify(body, { ...headers, "webhook-id": "evt_other" }, secret))).code).toBe("INVALID_SIGNATURE");
    const shifted = String(Number(headers["webhook-timestamp"]) - 1);
    expect((await refusal(Layers.webhooks.verify(body, { ...headers, "webhook-timestamp": shifted }, secret))).code).toBe("INVALID_SIGNATURE");
  });

  it("refuses a signature that is not v1 or not base64: INVALID_SIGNATURE", async () => {
    const secret = newSecret();
    const headers = signed([secret]);
    const v2 = headers["webhook-signature"].replace(/^v1,/, "v2,");
    expect((await refusal(Layers.webhooks.verify(body, { ...headers, "webhook-signature": v2 }, secret))).code).toBe("INVALID_SIGNATURE");
    expect((await refusal(Layers.webhooks.verify(body, { ...headers, "webhook-signature": "v1,!!!" }, secret))).code).toBe("INVALID_SIGNATURE");
  });

  it("refuses a delivery signed more than 5 minutes ago, or ahead: TIMESTAMP_OUT_OF_RANGE (a tolerance option widens it)", async () => {
    const secret = newSecret();
    const old = signed([secret], body, new Date(Date.now() - 6 * 60_000));
    expect((await refusal(Layers.webhooks.verify(body, old, secret))).code).toBe("TIMESTAMP_OUT_OF_RANGE");
    const ahead = signed([secret], body, new Date(Date.now() + 6 * 60_000));
    expect((await refusal(Layers.webhooks.verify(body, ahead, secret))).code).toBe("TIMESTAMP_OUT_OF_RANGE");
    expect((await Layers.webhooks.verify(body, old, secret, { toleranceSeconds: 600 })).type).toBe("webhook.test");
  });

  it("refuses a request without the Standard Webhooks headers: MISSING_HEADERS", async () => {
    const secret = newSecret();
    const { "webhook-signature": _dropped, ...unsigned } = signed([secret]);
    expect((await refusal(Layers.webhooks.verify(body, unsigned, secret))).code).toBe("MISSING_HEADERS");
    expect((await refusal(Layers.webhooks.verify(body, { ...signed([secret]), "webhook-timestamp": "soon" }, secret))).code).toBe("MISSING_HEADERS");
  });

  it("refuses a secret that is not whsec_ + base64: INVALID_SECRET", async () => {
    const secret = newSecret();
    expect((await refusal(Layers.webhooks.verify(body, signed([secret]), "whsec_not base64!"))).code).toBe("INVALID_SECRET");
  });

  it("refuses a signed body that is not an event: INVALID_PAYLOAD", async () => {
    const secret = newSecret();
    for (const payload of ["not json", "[1,2]"]) {
      expect((await refusal(Layers.webhooks.verify(payload, signed([secret], payload), secret))).code).toBe("INVALID_PAYLOAD");
    }
  });
});
