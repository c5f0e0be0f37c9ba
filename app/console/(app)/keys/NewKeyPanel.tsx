"use client";

import { SecretReveal } from "../../_ui/SecretReveal";

export type NewKey = { key: string; prefix: string; name: string };

/** The only place the full key is ever rendered. */
export function NewKeyPanel({ newKey, onDone }: { newKey: NewKey; onDone: () => void }) {
  return (
    <SecretReveal id="new-key" title={`API key “${newKey.name}” created`} label="New API key" noun="key" secret={newKey.key} onDone={onDone}>
      <p>
        <strong>Copy this key now. It will not be shown again:</strong> Layers stores only a hash of it. If you lose it,
        revoke it and create another.
      </p>
    </SecretReveal>
  );
}
