import type { Platform } from "@/db/schema";
import { dateOf } from "../../clock";
import type { Services } from "../../services";
import { sandboxCredentials } from "../platforms/config";
import { crossOrigin, readForm, sandboxErrorPage, sandboxPage } from "./http";
import { sandboxUser } from "./identity";
import { revokeUserGrants } from "./store";

const NOTHING_DONE = ["Nothing was revoked. Go back to the consent page to try again."];

/** What the platform says from now on, so the integrator knows what to look for. */
const AFTERMATH: Record<Platform, string> = {
  tiktok: "From now on its refresh tokens answer invalid_grant and its access tokens access_token_invalid.",
  instagram: "From now on its tokens answer Graph error 190, subcode 458 (the user removed the app).",
};

/**
 * POST /sandbox/:platform/revoke-access: the consent page's stand-in for a
 * user removing the app in the platform's settings. Ends every consent the
 * named sandbox user gave the sandbox's client on this platform, so an
 * integrator can watch Layers' next refresh fail and the account go
 * needs_reauth. Like the consent form, it only takes posts from the
 * sandbox's own page; a username with nothing to revoke is an answer, not
 * an error.
 */
export async function handleRevokeAccess(services: Pick<Services, "config" | "database" | "clock">, platform: Platform, req: Request): Promise<Response> {
  const { config } = services;
  if (crossOrigin(req, config.publicUrl)) {
    return sandboxErrorPage("Request refused", ["This form can only be sent from the sandbox's own consent page."], 403, NOTHING_DONE);
  }
  const form = await readForm(req, { multipart: true });
  if (!form) return sandboxErrorPage("This request was not understood", ["The revoke form must be sent as a form."], 400, NOTHING_DONE);
  const typed = form.getAll("username");
  if (typed.length > 1) return sandboxErrorPage("This request was not understood", ["Send one username."], 400, NOTHING_DONE);
  const user = sandboxUser(platform, typed[0]);
  if (!user) {
    return sandboxErrorPage("Choose another username", ["A username is 2 to 30 letters, digits, dots or underscores."], 400, NOTHING_DONE);
  }

  const clientId = sandboxCredentials(config, platform).clientId;
  const grants = await revokeUserGrants(services.database.db, { platform, clientId, userId: user.userId }, dateOf(services.clock));
  const back = "Go back to the consent page to continue.";
  if (grants === 0) {
    return sandboxPage({
      title: `Nothing to revoke for @${user.username}`,
      paragraphs: [`@${user.username} has no live grants to ${clientId}: nothing was revoked.`, back],
      status: 200,
    });
  }
  return sandboxPage({
    title: `Access for @${user.username} revoked`,
    paragraphs: [
      `Access for @${user.username} revoked: ${grants} ${grants === 1 ? "grant" : "grants"}. Layers will find out at its next refresh; the account then needs the end-customer (token_revoked).`,
      AFTERMATH[platform],
      back,
    ],
    status: 200,
  });
}
