import { TRPCError } from "@trpc/server";
import { headers } from "next/headers";
import { AuthError, CredentialsSignin } from "next-auth";
import { z } from "zod";
import { signIn, signOut } from "../../auth/config";
import { signOutEverywhere } from "../../auth/revocation";
import { setUpFromAddress } from "../../auth/setup";
import { clientAddress, UNKNOWN_ADDRESS } from "../../http/clientAddress";
import { publicProcedure, router, type TrpcContext } from "../init";

/** What a console form shows after a refused attempt; success never returns, it redirects. */
export interface FormState {
  error?: string;
  fields?: Record<string, string>;
}

/** How the form words each refusal code (server/auth/credentials.ts; "credentials" is next-auth's own). */
export const SIGN_IN_REFUSALS: Record<string, string> = {
  credentials: "The email or password is not right. Check both and try again.",
  throttled: "Too many sign-in attempts. Wait 15 minutes, then try again.",
  unavailable: "Sign-in is unavailable for a moment. Try again shortly.",
  busy: "Sign-in is busy. Try again in a moment.",
  disabled: "This account is disabled. Ask an owner of your organization.",
};

/** Only console paths: a sign-in form must never become an open redirect. */
export function safeCallback(value: string | undefined): string {
  return value && /^\/console(\/[\w\-./]*)?$/.test(value) && !value.includes("..") ? value : "/console";
}

/**
 * Through next-auth, so it sets the session cookie; its Credentials provider
 * applies the sign-in throttle. On success next-auth throws Next's redirect,
 * which the middleware lets through and the server action hands to Next.
 */
async function credentialsSignIn(email: string, password: string, redirectTo: string): Promise<FormState> {
  try {
    await signIn("credentials", { email, password, redirectTo });
    return {};
  } catch (error) {
    if (error instanceof CredentialsSignin) return { error: SIGN_IN_REFUSALS[error.code] ?? SIGN_IN_REFUSALS.credentials };
    if (error instanceof AuthError) return { error: "Sign-in failed. Try again." };
    throw error;
  }
}

/**
 * Setup, sign-in and sign-out answer with a cookie and a redirect, which only
 * a server action can hand to the browser; over /api/trpc they are not there.
 */
const formProcedure = publicProcedure.use(({ ctx, next }) => {
  if (ctx.source !== "in-process" && ctx.source.via !== "action") throw new TRPCError({ code: "NOT_FOUND", message: "Setup, sign-in and sign-out are console forms, not API calls." });
  return next();
});

/** The caller's address for the setup throttle: a server action's request headers, as the front recorded them. */
async function formAddress(ctx: TrpcContext): Promise<string> {
  if (ctx.source === "in-process") return UNKNOWN_ADDRESS;
  return clientAddress(await headers(), ctx.services.config.trustedProxyHops);
}

// Shapes only: the domain's own schemas judge the values and name the fields they refuse.
const setupInput = z.object({ setupCode: z.string(), orgName: z.string(), name: z.string(), email: z.string(), password: z.string() });
const signInInput = z.object({ email: z.string(), password: z.string(), callbackUrl: z.string().optional() });

/** The console's sign-in forms, as procedures: server actions call them with the same middleware as everything else. */
export const authRouter = router({
  /** The one-time first organization and owner, with the printed setup code, then signed in; refused once any user exists. */
  setup: formProcedure.input(setupInput).mutation(async ({ ctx, input }) => {
    const outcome = await setUpFromAddress(ctx.services, await formAddress(ctx), input);
    if (!outcome.ok) return { error: outcome.reason === "throttled" ? "Too many setup attempts. Wait 15 minutes, then try again." : SIGN_IN_REFUSALS.unavailable };
    return credentialsSignIn(outcome.email, input.password, "/console");
  }),

  signIn: formProcedure.input(signInInput).mutation(({ input }) => credentialsSignIn(input.email, input.password, safeCallback(input.callbackUrl))),

  /**
   * Ends the user's sessions everywhere (every copy of the cookie stops
   * working), then clears this one. Open to a session that is already gone,
   * so the button always gets the browser out.
   */
  signOut: formProcedure.mutation(async ({ ctx }) => {
    if (ctx.userId) await signOutEverywhere(ctx.services.database.db, ctx.userId);
    await signOut({ redirectTo: "/console/sign-in" });
  }),
});
