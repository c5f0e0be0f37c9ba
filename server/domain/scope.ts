import type { SQL } from "drizzle-orm";
import { eq } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { KeyMode } from "@/server/contract/vocabulary";
import { ids } from "@/server/contract/ids";
import type { Actor } from "../audit/record";
import { parseInput } from "../validation";

/**
 * Whose data a domain call may touch, and who is acting. It is the second
 * argument of every domain function, and its type is what keeps a tenant's
 * data in the tenant: a function over tenant-owned rows takes an `OrgScope`,
 * so there is no call without an organization. Only the operator (the CLI,
 * the start-up seed) may name a row without knowing its organization, and
 * says so with an `OperatorScope`.
 *
 * Attempts and accounts are mode data: test and live never mix (CONTRACT.md
 * §3), so a function over them takes a `ModeScope`, an organization in one
 * mode. The mode comes from the key (REST), the console's mode switch, or
 * the row itself (the callback, which holds nothing but the state). Projects,
 * keys, members and the audit log are the organization's configuration and
 * take an `OrgScope`.
 *
 * Scopes are made by the constructors below, never written out at call
 * sites.
 */
export interface OrgScope {
  readonly kind: "org";
  readonly orgId: string;
  readonly actor: Actor;
}

export type ApiKeyActor = Extract<Actor, { type: "api_key" }>;

/** An organization in one mode: sees, creates and changes only that mode's attempts and accounts. */
export interface ModeScope extends OrgScope {
  readonly mode: KeyMode;
}

/** An organization entered with an API key (the REST API): the key is the actor, and its mode decides live or sandbox. */
export interface KeyScope extends ModeScope {
  readonly actor: ApiKeyActor;
}

/** The instance's operator: any organization, found from the row itself. */
export interface OperatorScope {
  readonly kind: "operator";
  readonly actor: Actor;
}

export type Scope = OrgScope | OperatorScope;

/** An organization scope; the id is checked, since the CLI takes it from a flag. */
export function orgScope(orgId: string, actor: Actor): OrgScope {
  return { kind: "org", orgId: parseInput(ids.org, orgId), actor };
}

export function keyScope(key: { id: string; orgId: string; mode: KeyMode }): KeyScope {
  return { kind: "org", orgId: key.orgId, actor: { type: "api_key", id: key.id }, mode: key.mode };
}

export function operatorScope(actor: Actor = { type: "cli" }): OperatorScope {
  return { kind: "operator", actor };
}

/** An organization scope narrowed to one mode (the console's switch). */
export function modeScope(scope: OrgScope, mode: KeyMode): ModeScope {
  return { ...scope, mode };
}

/** A row's `livemode` as the scope's mode says it. */
export const isLive = (scope: ModeScope): boolean => scope.mode === "live";

/** The mode condition on a table's `livemode` column: a row of the other mode is not there. */
export function inMode(scope: ModeScope, livemodeColumn: PgColumn): SQL {
  return eq(livemodeColumn, isLive(scope));
}

/** The tenant condition on a table's org column: none for the operator. */
export function inScope(scope: Scope, orgColumn: PgColumn): SQL | undefined {
  return scope.kind === "org" ? eq(orgColumn, scope.orgId) : undefined;
}

/**
 * The organization a row found under `scope` belongs to, as a scope: the
 * operator acts in the row's organization, keeping its own actor, so audit
 * events land in the tenant whose data changed.
 */
export function scopeOfRow(scope: Scope, orgId: string): OrgScope {
  return scope.kind === "org" ? scope : { kind: "org", orgId, actor: scope.actor };
}

/** A console user in the organization they are a member of (membership already checked). */
export function memberScope(orgId: string, userId: string): OrgScope {
  return { kind: "org", orgId, actor: { type: "user", id: userId } };
}
