import { initTRPC, TRPCError } from "@trpc/server";
import type { Role } from "@/db/schema";
import { AppError, type ErrorCode } from "../errors";
import type { Services } from "../services";
import { findMembership } from "../users/service";

export interface TrpcContext {
  services: Services;
  /** The signed-in user's id, from the next-auth session; null when signed out. */
  userId: string | null;
}

const t = initTRPC.context<TrpcContext>().create({
  errorFormatter({ shape, error }) {
    // Validation issues travel to the console so it can mark fields.
    const cause = error.cause;
    return { ...shape, data: { ...shape.data, issues: cause instanceof AppError ? (cause.extra.issues ?? null) : null } };
  },
});

const TRPC_CODES: Record<ErrorCode, TRPCError["code"]> = {
  VALIDATION: "BAD_REQUEST",
  UNAUTHENTICATED: "UNAUTHORIZED",
  FORBIDDEN_SCOPE: "FORBIDDEN",
  RETURN_URL_NOT_ALLOWED: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  METHOD_NOT_ALLOWED: "METHOD_NOT_SUPPORTED",
  IDEMPOTENCY_CONFLICT: "CONFLICT",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  INTERNAL: "INTERNAL_SERVER_ERROR",
  PLATFORM_NOT_CONFIGURED: "PRECONDITION_FAILED",
  UNAVAILABLE: "INTERNAL_SERVER_ERROR",
};

/** Domain errors (AppError) become tRPC errors with the same message; nothing else changes. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: TRPC_CODES[cause.code], message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(domainErrors);

/** A signed-in user. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.userId) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  return next({ ctx: { ...ctx, userId: ctx.userId } });
});

/** A signed-in user with a membership: the organization and role are known. */
export const orgProcedure = protectedProcedure.use(async ({ ctx, next }) => {
  const membership = await findMembership(ctx.services.database.db, ctx.userId);
  if (!membership) throw new TRPCError({ code: "FORBIDDEN", message: "You are not a member of any organization." });
  return next({ ctx: { ...ctx, org: membership.org, role: membership.role as Role, user: membership.user } });
});

/** Owners and admins: everything that changes something. Members only read. */
export const adminProcedure = orgProcedure.use(({ ctx, next }) => {
  if (ctx.role === "member") throw new TRPCError({ code: "FORBIDDEN", message: "Members can only look. Ask an owner or admin to make this change." });
  return next({ ctx });
});

export const userActor = (ctx: { userId: string }) => ({ type: "user" as const, id: ctx.userId });
