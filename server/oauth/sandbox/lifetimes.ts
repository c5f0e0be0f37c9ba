import { z } from "zod";
import type { Platform } from "@/db/schema";

/** Lifetimes from TikTok's older token docs (24 h / 365 d); the adapters must read them from the reply anyway. */
export const TIKTOK_ACCESS_TTL_S = 86_400;
export const TIKTOK_REFRESH_TTL_S = 31_536_000;

export const INSTAGRAM_SHORT_LIVED_TTL_S = 3_600;
/** The ~60 days Instagram's docs show for long-lived tokens, to the second. */
export const INSTAGRAM_LONG_LIVED_TTL_S = 5_183_944;

/**
 * The lifetimes one consent chose, in seconds; null is the platform's own.
 * Instagram has no refresh token, so its `refreshTtlSeconds` is always null
 * and `accessTtlSeconds` is the long-lived token's.
 */
export interface GrantLifetimes {
  accessTtlSeconds: number | null;
  refreshTtlSeconds: number | null;
}

export const PLATFORM_LIFETIMES: GrantLifetimes = { accessTtlSeconds: null, refreshTtlSeconds: null };

interface LifetimePreset extends GrantLifetimes {
  id: string;
  label: string;
}

const MINUTE = 60;
const HOUR = 3_600;
const DAY = 86_400;

/**
 * What the consent page offers. The first of each list is the default and
 * stores nulls, so a grant made without a choice (curl, older tests) and one
 * made with the default behave the same. The short ones exist so an
 * integrator can watch an account refresh and then lose its authorization
 * in minutes instead of months.
 */
export const LIFETIME_PRESETS = {
  tiktok: [
    { id: "platform", label: "As TikTok documents it (access 24 h, refresh 365 days)", ...PLATFORM_LIFETIMES },
    { id: "newer_docs", label: "Access 2 h, refresh 180 days (newer docs)", accessTtlSeconds: 2 * HOUR, refreshTtlSeconds: 180 * DAY },
    { id: "short", label: "Short: access 1 minute, refresh 1 hour", accessTtlSeconds: MINUTE, refreshTtlSeconds: HOUR },
    { id: "very_short", label: "Very short: access 1 minute, refresh 5 minutes", accessTtlSeconds: MINUTE, refreshTtlSeconds: 5 * MINUTE },
  ],
  instagram: [
    { id: "platform", label: "As Instagram (60 days)", ...PLATFORM_LIFETIMES },
    { id: "one_hour", label: "1 hour", accessTtlSeconds: HOUR, refreshTtlSeconds: null },
    { id: "two_minutes", label: "2 minutes", accessTtlSeconds: 2 * MINUTE, refreshTtlSeconds: null },
  ],
} as const satisfies Record<Platform, readonly [LifetimePreset, ...LifetimePreset[]]>;

export type LifetimePresetId = (typeof LIFETIME_PRESETS)[Platform][number]["id"];

/** The consent form's field that carries the choice. */
export const LIFETIME_FIELD = "token_lifetime";

const presetIds = (platform: Platform) => LIFETIME_PRESETS[platform].map((preset) => preset.id) as [string, ...string[]];

export type LifetimeChoice = { ok: true; lifetimes: GrantLifetimes } | { ok: false; problem: string };

/**
 * The lifetimes a consent form asks for. No field is the platform's own
 * (what a form posted without the choice means); a repeated field or an
 * unknown preset is refused rather than guessed.
 */
export function chooseLifetimes(platform: Platform, form: URLSearchParams): LifetimeChoice {
  const values = form.getAll(LIFETIME_FIELD);
  if (values.length === 0) return { ok: true, lifetimes: PLATFORM_LIFETIMES };
  const ids = presetIds(platform);
  const parsed = z.enum(ids).safeParse(values.length === 1 ? values[0] : undefined);
  if (!parsed.success) {
    return { ok: false, problem: `Token lifetime must be one of ${ids.join(", ")}${values.length > 1 ? ", sent once" : ""}.` };
  }
  const { accessTtlSeconds, refreshTtlSeconds } = LIFETIME_PRESETS[platform].find((preset) => preset.id === parsed.data)!;
  return { ok: true, lifetimes: { accessTtlSeconds, refreshTtlSeconds } };
}

/** A TikTok grant's lifetimes, the platform's filled in. */
export const tiktokLifetimes = (lifetimes: GrantLifetimes) => ({
  accessS: lifetimes.accessTtlSeconds ?? TIKTOK_ACCESS_TTL_S,
  refreshS: lifetimes.refreshTtlSeconds ?? TIKTOK_REFRESH_TTL_S,
});

/** An Instagram grant's long-lived token lifetime, the platform's filled in. */
export const instagramLongLivedS = (lifetimes: GrantLifetimes) => lifetimes.accessTtlSeconds ?? INSTAGRAM_LONG_LIVED_TTL_S;

/**
 * The short-lived token of the code exchange never outlives the long-lived
 * one it is swapped for, so a two-minute grant is two minutes from end to end.
 */
export const instagramShortLivedS = (lifetimes: GrantLifetimes) => Math.min(INSTAGRAM_SHORT_LIVED_TTL_S, instagramLongLivedS(lifetimes));
