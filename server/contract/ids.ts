import { z } from "zod";

/**
 * The shapes of public identifiers (CONTRACT.md §1): a type prefix and a
 * ULID. States are `st_` + 32 random base32 characters when this instance
 * issues them, and the contract also allows `st_` + a ULID (26).
 */
const CROCKFORD = "[0-9A-HJKMNP-TV-Z]";

export const ID_PATTERNS = {
  org: new RegExp(`^org_${CROCKFORD}{26}$`),
  usr: new RegExp(`^usr_${CROCKFORD}{26}$`),
  prj: new RegExp(`^prj_${CROCKFORD}{26}$`),
  key: new RegExp(`^key_${CROCKFORD}{26}$`),
  sa: new RegExp(`^sa_${CROCKFORD}{26}$`),
  we: new RegExp(`^we_${CROCKFORD}{26}$`),
  evt: new RegExp(`^evt_${CROCKFORD}{26}$`),
  // A webhook delivery: one event to one endpoint (the console's handle on it; not in the public API).
  whd: new RegExp(`^whd_${CROCKFORD}{26}$`),
  // Any base32 letters and digits: the contract's own example state
  // (st_01HXZ8K2M4P5QRS6TUV7WXYZ9A) has a U, which Crockford's alphabet lacks,
  // and an unknown state of an allowed shape must be a 404, not a 400.
  st: /^st_[0-9A-Z]{26,64}$/,
} as const;

export type IdKind = keyof typeof ID_PATTERNS;

const ID_NAMES: Record<IdKind, string> = {
  org: "an organization id (org_...)",
  usr: "a user id (usr_...)",
  prj: "a project id (prj_...)",
  key: "an API key id (key_...)",
  sa: "a social account id (sa_...)",
  we: "a webhook endpoint id (we_...)",
  evt: "a webhook event id (evt_...)",
  whd: "a webhook delivery id (whd_...)",
  st: "a state returned by oauth-url (st_...)",
};

/** The zod schema of one kind of id, with the message every surface shows. */
export const idSchema = (kind: IdKind) => z.string().regex(ID_PATTERNS[kind], `must be ${ID_NAMES[kind]}`);

export const ids = {
  org: idSchema("org"),
  usr: idSchema("usr"),
  prj: idSchema("prj"),
  key: idSchema("key"),
  sa: idSchema("sa"),
  we: idSchema("we"),
  evt: idSchema("evt"),
  whd: idSchema("whd"),
  st: idSchema("st"),
} as const;
