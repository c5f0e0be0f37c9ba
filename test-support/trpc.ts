import { TRPCError } from "@trpc/server";

/** The TRPCError a procedure call fails with; anything else (or success) fails the test. */
export async function trpcError(call: () => Promise<unknown>): Promise<TRPCError> {
  try {
    await call();
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}
