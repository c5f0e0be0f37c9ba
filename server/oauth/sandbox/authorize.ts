import { randomInt } from "node:crypto";
import type { Platform } from "@/db/schema";
import type { ResolvedConfig } from "../../secrets";
import { dateOf } from "../../clock";
import type { Services } from "../../services";
import { redirectUri, SANDBOX_PATH, sandboxCredentials } from "../platforms/config";
import { PLATFORM_SCOPES } from "@/server/contract/vocabulary";
import { crossOrigin, readForm, sandboxErrorPage, seeOther } from "./http";
import { DEFAULT_SANDBOX_USERNAME, sandboxUser } from "./identity";
import { chooseLifetimes, LIFETIME_FIELD, LIFETIME_PRESETS } from "./lifetimes";
import { newGrant, pruneExpired, randomText, type SandboxGrant, storeTokens } from "./store";

type SandboxConfig = Pick<ResolvedConfig, "publicUrl" | "encryptionKey">;

/** An authorize request the sandbox accepts, in either platform's dialect. */
export interface AuthorizeRequest {
  platform: Platform;
  clientId: string;
  redirectUri: string;
  /** Requested scopes, in request order, without duplicates. */
  scopes: string[];
  /** Required on TikTok; Instagram allows it to be absent. */
  state: string | null;
  /** TikTok PKCE: hex SHA-256 of the verifier, when one was sent. */
  codeChallenge: string | null;
}

export type AuthorizeCheck = { ok: true; request: AuthorizeRequest } | { ok: false; problems: string[] };

/** Query values as Next hands them to a page, as URLSearchParams (repeats kept, so they can be refused). */
export function toSearchParams(record: Record<string, string | string[] | undefined>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(record)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) params.append(name, v);
  }
  return params;
}

const PLATFORM_NAME: Record<Platform, string> = { tiktok: "TikTok", instagram: "Instagram" };

/**
 * Validates authorize parameters exactly as the platform would: a request
 * that fails here never goes back to its redirect_uri (PLATFORMS.md: the
 * platform shows its own error page). Used by the consent page and, again,
 * by the consent POST, which trusts none of the hidden fields.
 */
export function checkAuthorize(config: SandboxConfig, platform: Platform, params: URLSearchParams): AuthorizeCheck {
  const problems: string[] = [];
  const one = (name: string): string | null => {
    const values = params.getAll(name);
    if (values.length > 1) problems.push(`\`${name}\` appears ${values.length} times; send it once.`);
    return values[0] ?? null;
  };
  const expectedClient = sandboxCredentials(config, platform).clientId;
  const clientParam = platform === "tiktok" ? "client_key" : "client_id";

  const clientId = one(clientParam);
  if (clientId === null || clientId === "") {
    problems.push(
      platform === "tiktok" && params.has("client_id")
        ? "TikTok names the client `client_key`; this request sent `client_id` instead."
        : `\`${clientParam}\` is missing.`,
    );
  } else if (clientId !== expectedClient) {
    problems.push(`\`${clientParam}\` "${clientId}" is not an app of this sandbox: test-mode authorize URLs use "${expectedClient}".`);
  }

  const responseType = one("response_type");
  if (responseType !== "code") {
    problems.push(responseType === null ? "`response_type` is missing: it must be `code`." : `\`response_type\` must be \`code\`, not "${responseType}".`);
  }

  const scopes = checkScopes(platform, one("scope"), problems);

  const expectedRedirect = redirectUri(config, platform);
  const redirect = one("redirect_uri");
  if (redirect === null || redirect === "") problems.push("`redirect_uri` is missing.");
  else if (redirect !== expectedRedirect) {
    problems.push(`\`redirect_uri\` must be exactly the registered ${expectedRedirect}, but it is ${redirect}.`);
  }

  const state = one("state");
  if (platform === "tiktok" && (state === null || state === "")) problems.push("`state` is missing.");

  let codeChallenge: string | null = null;
  if (platform === "tiktok") {
    const challenge = one("code_challenge");
    const method = one("code_challenge_method");
    if (challenge !== null || method !== null) {
      if (method !== "S256") problems.push(method === null ? "`code_challenge_method=S256` must accompany `code_challenge`." : `\`code_challenge_method\` must be \`S256\`, not "${method}".`);
      if (challenge === null) problems.push("`code_challenge` is missing although `code_challenge_method` is set.");
      else if (!/^[0-9a-fA-F]{64}$/.test(challenge)) {
        problems.push("`code_challenge` must be the hex SHA-256 of the code verifier (64 hex characters), as TikTok documents it.");
      } else codeChallenge = challenge.toLowerCase();
    }
  }

  if (problems.length) return { ok: false, problems };
  return { ok: true, request: { platform, clientId: clientId!, redirectUri: redirect!, scopes, state: state || null, codeChallenge } };
}

function checkScopes(platform: Platform, scope: string | null, problems: string[]): string[] {
  if (scope === null || scope.trim() === "") {
    problems.push("`scope` is missing: name at least one scope, comma-separated.");
    return [];
  }
  const names = scope.split(",");
  const known = PLATFORM_SCOPES[platform].known;
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length) {
    const quoted = unknown.map((n) => `"${n}"`).join(", ");
    problems.push(`Unknown ${PLATFORM_NAME[platform]} scope(s) ${quoted}. Scopes are comma-separated, no spaces; known: ${known.join(", ")}.`);
  }
  return [...new Set(names)];
}

/** What the end-customer sees next to each checkbox. */
export const SCOPE_LABELS: Record<string, string> = {
  "user.info.basic": "Your avatar and display name",
  "user.info.profile": "Your username, bio and verified status",
  "user.info.stats": "Your follower, following, like and video counts",
  "video.list": "Your public videos",
  "video.upload": "Upload videos to your drafts",
  "video.publish": "Post videos to your profile",
  instagram_business_basic: "Your profile and media",
  instagram_business_content_publish: "Publish posts, reels and stories",
  instagram_business_manage_comments: "Read, reply to and hide comments",
  instagram_business_manage_insights: "Insights on your account and media",
  instagram_business_manage_messages: "Read and send direct messages",
};

/** Everything the consent page renders for a valid request. */
export interface ConsentView {
  platform: Platform;
  platformName: string;
  clientId: string;
  /** Where the answer goes, shown so the end-customer knows who receives it. */
  returnHost: string;
  action: string;
  defaultUsername: string;
  scopes: Array<{ name: string; label: string }>;
  /** The token lifetimes on offer, the first one the default, and the form field that carries the choice. */
  lifetimes: { field: string; presets: Array<{ id: string; label: string }> };
  /** Where the "Revoke access" form posts. */
  revokeAction: string;
  /** The authorize parameters, carried to the consent POST (which validates them all again). */
  hidden: Array<[string, string]>;
}

export type ConsentPageModel = { ok: true; view: ConsentView } | { ok: false; platformName: string; problems: string[] };

/** The consent page's logic: validation, then what to show. */
export function consentPageModel(config: SandboxConfig, platform: Platform, params: URLSearchParams): ConsentPageModel {
  const check = checkAuthorize(config, platform, params);
  if (!check.ok) return { ok: false, platformName: PLATFORM_NAME[platform], problems: check.problems };
  const { request } = check;
  const hidden: Array<[string, string]> = [
    [platform === "tiktok" ? "client_key" : "client_id", request.clientId],
    ["response_type", "code"],
    ["scope", request.scopes.join(",")],
    ["redirect_uri", request.redirectUri],
  ];
  if (request.state !== null) hidden.push(["state", request.state]);
  if (request.codeChallenge !== null) hidden.push(["code_challenge", request.codeChallenge], ["code_challenge_method", "S256"]);
  return {
    ok: true,
    view: {
      platform,
      platformName: PLATFORM_NAME[platform],
      clientId: request.clientId,
      returnHost: new URL(request.redirectUri).host,
      action: `${config.publicUrl}${SANDBOX_PATH}/${platform}/consent`,
      defaultUsername: DEFAULT_SANDBOX_USERNAME,
      scopes: request.scopes.map((name) => ({ name, label: SCOPE_LABELS[name] ?? name })),
      lifetimes: { field: LIFETIME_FIELD, presets: LIFETIME_PRESETS[platform].map(({ id, label }) => ({ id, label })) },
      revokeAction: `${config.publicUrl}${SANDBOX_PATH}/${platform}/revoke-access`,
      hidden,
    },
  };
}

/** Code lifetimes as PLATFORMS.md gives them. */
export const CODE_TTL_MS: Record<Platform, number> = { tiktok: 10 * 60_000, instagram: 3_600_000 };

/**
 * TikTok codes end like the real ones (`...*3!6219.va`): `*` and `!` make the
 * callback's "decode exactly once" matter. Instagram codes look like `AQ...`.
 */
const newCode: Record<Platform, () => string> = {
  tiktok: () => `${randomText(48)}*${randomInt(10)}!${randomInt(1000, 10000)}.va`,
  instagram: () => `AQ${randomText(96)}`,
};

/** RFC 3986 strict: everything but unreserved characters is escaped, as TikTok escapes `*` and `!`. */
const strictEncode = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function successLocation(request: AuthorizeRequest, code: string, granted: readonly string[]): string {
  if (request.platform === "tiktok") {
    return `${request.redirectUri}?code=${strictEncode(code)}&scopes=${strictEncode(granted.join(","))}&state=${strictEncode(request.state!)}`;
  }
  const query = new URLSearchParams({ code });
  if (request.state !== null) query.set("state", request.state);
  return `${request.redirectUri}?${query}#_`;
}

function denialLocation(request: AuthorizeRequest): string {
  if (request.platform === "tiktok") {
    const description = "The user denied the authorization request.";
    return `${request.redirectUri}?error=access_denied&error_description=${strictEncode(description)}&state=${strictEncode(request.state!)}`;
  }
  const query = new URLSearchParams({ error: "access_denied", error_reason: "user_denied", error_description: "The user denied your request" });
  if (request.state !== null) query.set("state", request.state);
  return `${request.redirectUri}?${query}`;
}

/**
 * POST /sandbox/:platform/consent: the end-customer's answer. Re-validates
 * the whole authorize request, then answers 303 to the redirect_uri with a
 * code and the scopes left ticked, or with access_denied.
 */
export async function handleConsent(services: Pick<Services, "config" | "database" | "clock">, platform: Platform, req: Request): Promise<Response> {
  const { config } = services;
  if (crossOrigin(req, config.publicUrl)) {
    return sandboxErrorPage("Request refused", ["This consent form can only be sent from the sandbox's own consent page."], 403);
  }
  const form = await readForm(req, { multipart: true });
  if (!form) return sandboxErrorPage("This consent was not understood", ["The consent form must be sent as a form."], 400);
  const check = checkAuthorize(config, platform, form);
  if (!check.ok) return sandboxErrorPage("This authorization request is invalid", check.problems, 400);
  const { request } = check;

  const decision = form.get("decision");
  if (decision === "cancel") return seeOther(denialLocation(request));
  if (decision !== "authorize") return sandboxErrorPage("This consent was not understood", ["Choose Authorize or Cancel."], 400);

  const user = sandboxUser(platform, form.get("username"));
  if (!user) {
    return sandboxErrorPage("Choose another username", ["A username is 2 to 30 letters, digits, dots or underscores."], 400);
  }
  const ticked = form.getAll("granted_scope");
  const stray = ticked.filter((scope) => !request.scopes.includes(scope));
  if (stray.length) {
    return sandboxErrorPage("This consent was not understood", [`Scope(s) ${stray.join(", ")} were not requested, so they cannot be granted.`], 400);
  }
  const granted = request.scopes.filter((scope) => ticked.includes(scope));
  const lifetimes = chooseLifetimes(platform, form);
  if (!lifetimes.ok) return sandboxErrorPage("This consent was not understood", [lifetimes.problem], 400);
  const code = await issueCode(services.database.db, request, { user, scopes: granted, lifetimes: lifetimes.lifetimes }, dateOf(services.clock));
  return seeOther(successLocation(request, code, granted));
}

async function issueCode(db: Services["database"]["db"], request: AuthorizeRequest, consent: Pick<SandboxGrant, "user" | "scopes" | "lifetimes">, now: Date) {
  await pruneExpired(db, now);
  const code = newCode[request.platform]();
  const grant = newGrant({ platform: request.platform, clientId: request.clientId, ...consent });
  await storeTokens(
    db,
    grant,
    [{ kind: "code", value: code, expiresAt: new Date(now.getTime() + CODE_TTL_MS[request.platform]), redirectUri: request.redirectUri, codeChallenge: request.codeChallenge }],
    now,
  );
  return code;
}
