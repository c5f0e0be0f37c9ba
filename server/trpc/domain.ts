import type { KeyMode } from "@/server/contract/vocabulary";
import { type DomainContext, domainContext } from "../domain/context";
import { memberScope, type ModeScope, modeScope, type OrgScope } from "../domain/scope";
import type { Services } from "../services";

type OrgContext = { services: Services; org: { id: string }; userId: string };

/** The domain call's two first arguments from an org procedure's context: `fn(...call(ctx), input)`. */
export function call(ctx: OrgContext): [DomainContext, OrgScope] {
  return [domainContext(ctx.services), memberScope(ctx.org.id, ctx.userId)];
}

/** The same in the mode the console shows, for mode data (only a mode procedure's context has one). */
export function callInMode(ctx: OrgContext & { mode: KeyMode }): [DomainContext, ModeScope] {
  return [domainContext(ctx.services), modeScope(memberScope(ctx.org.id, ctx.userId), ctx.mode)];
}
