"use client";

import { SecretReveal } from "../../_ui/SecretReveal";
import local from "./webhooks.module.css";

export type RevealedSecret = { secret: string; url: string; rotated: boolean };

/**
 * The signing secret, the once it is shown: on creation and on rotation.
 * Layers keeps it sealed and never shows it again.
 */
export function WebhookSecretPanel({ revealed, onDone }: { revealed: RevealedSecret; onDone: () => void }) {
  return (
    <SecretReveal
      id="webhook-secret"
      title={revealed.rotated ? "New signing secret" : "Webhook endpoint created"}
      label="Signing secret"
      noun="secret"
      secret={revealed.secret}
      onDone={onDone}
    >
      <p>
        <strong>Copy this signing secret now. It will not be shown again.</strong> Your receiver at{" "}
        <span className={local.url}>{revealed.url}</span> uses it to check that each delivery comes from Layers.
      </p>
      {revealed.rotated ? (
        <p>
          The previous secret keeps signing beside this one for 24 hours: until then every delivery carries both signatures. Switch your
          receiver to the new secret within that time.
        </p>
      ) : null}
      <p className={local.verify}>
        <strong>How to verify:</strong> pass the raw body and the headers to a Standard Webhooks library, e.g. in Node{" "}
        <code>new Webhook(secret).verify(body, headers)</code> from the <code>standardwebhooks</code> package. By hand:{" "}
        <code>webhook-signature</code> holds <code>v1,</code> and the base64 HMAC-SHA256 of{" "}
        <code>{"{webhook-id}.{webhook-timestamp}.{body}"}</code>, keyed with the base64-decoded part after <code>whsec_</code>; refuse
        timestamps more than 5 minutes off.
      </p>
    </SecretReveal>
  );
}
