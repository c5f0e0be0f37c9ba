"use client";

import { useQuery } from "@tanstack/react-query";
import { PLATFORM_LABEL } from "../../_ui/format";
import { type RouterOutputs, useTRPC } from "../../trpc";
import local from "./keys.module.css";

type Mode = "live" | "test";
type Instance = RouterOutputs["apiKeys"]["instance"];

/** What each mode means, under the mode choice of the create form. */
export const MODE_HINT: Record<Mode, string> = {
  test: "A test key is for the sandbox: no platform app needed.",
  live: "A live key uses your TikTok/Instagram apps.",
};

/** The variables that give a platform its app credentials (server/env.ts). */
const CREDENTIAL_VARS: Record<keyof Instance["platforms"], string> = {
  tiktok: "TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET",
  instagram: "INSTAGRAM_CLIENT_ID and INSTAGRAM_CLIENT_SECRET",
};

/** What a key of `mode` cannot do on this instance as it is configured, one sentence per gap. */
export function modeWarnings(mode: Mode, instance: Instance): string[] {
  if (mode === "test") {
    return instance.sandbox ? [] : ["The sandbox is off on this instance (LAYERS_SANDBOX=off): test oauth-url requests will answer 503 PLATFORM_NOT_CONFIGURED."];
  }
  return (Object.keys(CREDENTIAL_VARS) as Array<keyof Instance["platforms"]>)
    .filter((platform) => !instance.platforms[platform])
    .map(
      (platform) =>
        `This instance has no ${PLATFORM_LABEL[platform]} app credentials: live oauth-url requests will answer 503 PLATFORM_NOT_CONFIGURED until ${CREDENTIAL_VARS[platform]} are set.`,
    );
}

/**
 * The chosen mode's gaps on this instance, said before the key is made. The
 * region is always there, so a warning that appears on choosing Live is read out.
 */
export function ModeWarnings({ mode }: { mode: Mode }) {
  const trpc = useTRPC();
  const instance = useQuery(trpc.apiKeys.instance.queryOptions());
  const warnings = instance.data ? modeWarnings(mode, instance.data) : [];
  return (
    <div id="key-mode-warnings" role="status" className={local.warnings}>
      {warnings.map((text) => (
        <p key={text} className={local.warning}>
          {text}
        </p>
      ))}
    </div>
  );
}
