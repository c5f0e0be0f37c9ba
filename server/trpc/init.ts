import { initTRPC, TRPCError } from "@trpc/server";
import { unstable_rethrow } from "next/navigation";
import { z } from "zod";
import type { Role } from "@/db/schema";
import { KEY_MODES } from "@/server/contract/vocabulary";
import { findNul } from "@/server/contract/safeJson";
import { AppError, type ErrorCode, toAppError, validationError } from "../errors";
import type { Services } from "../services";
import { findMembership } from "../users/service";
import { type CallSource, isSameOrigin } from "./origin";

export interface TrpcContext {
  services: Services;
  /** The signed-in user's id, from the next-auth session; null when signed out. */
  userId: string | null;
  /** Names the call in logs and in error answers. */
  requestId: string;
  /** Where the call came from: mutations from a browser must come from the console's own origin. */
  source: CallSource;
}

const t = initTRPC.context<TrpcContext>().create({
  errorFormatter({ shape, error }) {
    // Validation issues travel to the console so it can mark fields; the
    // request id lets an admin quote a failure. Nothing else of the cause does.
    const cause = error.cause;
    const { stack: _stack, ...data } = shape.data;
    return { ...shape, data: { ...data, requestId: cause instanceof AppError ? cause.requestId : undefined, issues: cause instanceof AppError ? (cause.extra.issues ?? null) : null } };
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
  NEEDS_REAUTH: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  INTERNAL: "INTERNAL_SERVER_ERROR",
  PLATFORM_NOT_CONFIGURED: "PRECONDITION_FAILED",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
};

/**
 * Whatever a procedure throws goes through the one translation (`toAppError`):
 * domain errors keep their code and message, unknown faults are logged and
 * become a generic INTERNAL with the request id. tRPC's own errors (sign-in
 * required, bad input shape) pass as they are. Next's control flow (the
 * redirect next-auth throws after a sign-in or sign-out) is no fault: it
 * leaves untranslated, for the server action to hand back to Next.
 */
const domainErrors = t.middleware(async ({ ctx, next }) => {
  const result = await next();
  if (result.ok) return result;
  const { error } = result;
  unstable_rethrow(error);
  const thrown = error.cause ?? error;
  if (!(thrown instanceof AppError) && error.code !== "INTERNAL_SERVER_ERROR") return result;
  const appError = toAppError(thrown, ctx.requestId);
  appError.requestId = ctx.requestId;
  throw new TRPCError({ code: TRPC_CODES[appError.code], message: appError.message, cause: appError });
});

/**
 * The same-origin rule for every mutation, however it arrives: /api/trpc
 * refuses a cross-site POST before parsing it, and server actions (which Next
 * checks only against the Host header) meet the rule here.
 */
const sameOriginMutations = t.middleware(({ ctx, type, next }) => {
  if (type === "mutation" && ctx.source !== "in-process" && !isSameOrigin(ctx.source, ctx.services.config.publicUrl)) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Cross-origin requests to the console API are refused." });
  }
  return next();
});

/**
 * A NUL character in any string of the input is a VALIDATION error, as on
 * /v1 and in ladmin: PostgreSQL refuses it in text, so it would otherwise
 * reach a query and come back as an internal error.
 */
const refuseNul = t.middleware(async ({ getRawInput, next }) => {
  const at = findNul(await getRawInput());
  if (at !== null) throw validationError([{ path: at === "(body)" ? "(input)" : at, message: "must not contain a NUL character" }]);
  return next();
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(domainErrors).use(sameOriginMutations).use(refuseNul);

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

/**
 * Attempts, accounts and the overview are mode data: test and live never mix
 * in one answer. The console names the mode it shows in every such call (its
 * mode switch), so the mode is part of each query's cache key and a list of
 * one mode is never served for the other. It is a view, not a permission:
 * members see both modes, one at a time.
 */
const modeInput = z.object({ mode: z.enum(KEY_MODES) });

export const orgModeProcedure = orgProcedure.input(modeInput).use(({ ctx, input, next }) => next({ ctx: { ...ctx, mode: input.mode } }));

export const adminModeProcedure = adminProcedure.input(modeInput).use(({ ctx, input, next }) => next({ ctx: { ...ctx, mode: input.mode } }));

export const userActor = (ctx: { userId: string }) => ({ type: "user" as const, id: ctx.userId });
