import { type DomainContext, domainContext } from "../domain/context";
import { memberScope, type OrgScope } from "../domain/scope";
import type { Services } from "../services";

/** The domain call's two first arguments from an org procedure's context: `fn(...call(ctx), input)`. */
export function call(ctx: { services: Services; org: { id: string }; userId: string }): [DomainContext, OrgScope] {
  return [domainContext(ctx.services), memberScope(ctx.org.id, ctx.userId)];
}
