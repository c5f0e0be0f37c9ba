import { CredentialsSignin } from "next-auth";
import type { Services } from "../services";
import { authenticateUser } from "./signIn";

/** next-auth passes a CredentialsSignin's code through to the caller: the form words it. */
export class ThrottledSignIn extends CredentialsSignin {
  code = "throttled";
}

function clientAddress(request: Request | undefined): string {
  const forwarded = request?.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || request?.headers.get("x-real-ip") || "unknown";
}

/** The Credentials provider's `authorize`: a user, null for a wrong email or password, or a throttled refusal. */
export async function authorizeCredentials(services: Services, credentials: Partial<Record<"email" | "password", unknown>>, request: Request | undefined) {
  const result = await authenticateUser(services, { email: credentials.email, password: credentials.password, ip: clientAddress(request) });
  if (result.ok) return result.user;
  if (result.reason === "throttled") throw new ThrottledSignIn();
  return null;
}
