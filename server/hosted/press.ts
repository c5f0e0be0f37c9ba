import { ids } from "@/server/contract/ids";
import { PLATFORM_NAMES } from "@/server/contract/vocabulary";
import { bindAttempt, bindingCookieHeader, newBindingToken, readBindingToken } from "../attempts/binding";
import { authorizeUrlFor, STATE_TTL_MS } from "../attempts/create";
import { attemptStatus } from "../attempts/status";
import { type AttemptRow, findAttempt, findAttemptWithProject } from "../attempts/store";
import { SEALED } from "../crypto/sealed";
import type { DomainContext } from "../domain/context";
import { hostedErrorPage, htmlMessagePage } from "./errorPage";
import { hostedConnectUrl } from "./views";

/**
 * POST /connect/:state/go — the hosted connect page's button (issue 8 item
 * 9). The page itself holds no authorize URL; this is where the browser gets
 * it, as a 303, and where the attempt is bound to that browser. A GET of the
 * page (a link scanner, a preview) therefore consumes nothing.
 */
export type PressOutcome =
  | { kind: "redirect"; location: string; token: string }
  /** Nothing left to press: the page says why (expired, connected, failed). */
  | { kind: "show_page"; state: string }
  | { kind: "unknown" }
  | { kind: "other_browser"; platform: string; projectName: string }
  | { kind: "cross_origin" };

export interface PressInput {
  state: string;
  origin: string | null;
  fetchSite: string | null;
  cookie: string | null;
}

export async function pressConnect(ctx: DomainContext, input: PressInput): Promise<PressOutcome> {
  if (!isOwnPageForm(input, ctx.config.publicUrl)) return { kind: "cross_origin" };
  const state = ids.st.safeParse(input.state);
  if (!state.success) return { kind: "unknown" };
  const row = await findAttemptWithProject(ctx, state.data);
  if (!row) return { kind: "unknown" };
  const { attempt, projectName } = row;
  if (attemptStatus(attempt) !== "pending") return { kind: "show_page", state: attempt.id };

  const token = readBindingToken(input.cookie, ctx.config.publicUrl) ?? newBindingToken();
  // Built before binding, so a failure here leaves the attempt as it was.
  const location = authorizeUrlOfAttempt(ctx, attempt);
  if (await bindAttempt(ctx, attempt.id, token)) return { kind: "redirect", location, token };

  // Lost the race, or it changed since it was read: say which.
  const now = await findAttempt(ctx, attempt.id);
  if (!now || attemptStatus(now) !== "pending") return { kind: "show_page", state: attempt.id };
  return { kind: "other_browser", platform: PLATFORM_NAMES[attempt.platform], projectName };
}

/**
 * Only the rebuilt URL of the attempt's own platform is ever a destination,
 * so the button cannot be turned into an open redirect.
 */
function authorizeUrlOfAttempt(ctx: DomainContext, attempt: AttemptRow): string {
  const verifier = attempt.codeVerifierEnc ? ctx.box.open(attempt.codeVerifierEnc, SEALED.codeVerifier.at(attempt.id)) : undefined;
  return authorizeUrlFor(ctx.config, attempt, verifier);
}

/**
 * The form on our own page posts same-origin, and every browser sends Origin
 * on a POST (Referrer-Policy same-origin keeps it a real origin, not `null`);
 * Sec-Fetch-Site covers one that would not. A request with neither is no
 * browser pressing our button.
 */
function isOwnPageForm(input: Pick<PressInput, "origin" | "fetchSite">, publicUrl: string): boolean {
  if (input.origin !== null) return input.origin === new URL(publicUrl).origin;
  return input.fetchSite === "same-origin";
}

export function pressResponse(outcome: PressOutcome, publicUrl: string): Response {
  switch (outcome.kind) {
    case "redirect":
      return new Response(null, {
        status: 303,
        headers: {
          Location: outcome.location,
          "Set-Cookie": bindingCookieHeader(outcome.token, publicUrl, STATE_TTL_MS / 1000),
          "Cache-Control": "no-store",
        },
      });
    case "show_page":
      return new Response(null, { status: 303, headers: { Location: hostedConnectUrl({ publicUrl }, outcome.state), "Cache-Control": "no-store" } });
    case "unknown":
      return hostedErrorPage(
        "This connection link is not valid",
        "We could not find the connection attempt this link belongs to. Go back to the app you came from and start connecting again.",
        404,
      );
    case "other_browser":
      return htmlMessagePage({
        title: "This connection link was already opened in another browser",
        siteName: "Layers Connect",
        badge: { text: "Connection problem", tone: "problem" },
        paragraphs: [
          `This link to connect a ${outcome.platform} account to ${outcome.projectName} was first opened in another browser, and for your security it works only there.`,
          "Finish connecting in that browser, or go back to the app you came from and start again to get a new link.",
        ],
        status: 403,
      });
    case "cross_origin":
      return hostedErrorPage(
        "This request did not come from the connection page",
        "Open your connection link again and press the button on that page.",
        403,
      );
  }
}
