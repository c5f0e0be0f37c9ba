import { CredentialsSignin } from "next-auth";
import { clientAddress } from "../http/clientAddress";
import type { Services } from "../services";
import { authenticateUser, type SignInRefusal } from "./signIn";

/**
 * next-auth passes a CredentialsSignin's `code` through to the caller (the
 * form's procedure, or `?code=` on the sign-in page for a direct post), which
 * words it. A wrong email or password is next-auth's own "credentials".
 */
export class RefusedSignIn extends CredentialsSignin {
  constructor(readonly code: Exclude<SignInRefusal, "invalid">) {
    super();
  }
}

/** The Credentials provider's `authorize`: a user, null for a wrong email or password, or a worded refusal. */
export async function authorizeCredentials(services: Services, credentials: Partial<Record<"email" | "password", unknown>>, request: Request | undefined) {
  // The address the front recorded from the socket, or X-Forwarded-For only as far as the trusted proxies go.
  const address = clientAddress(request?.headers ?? new Headers(), services.config.trustedProxyHops);
  const result = await authenticateUser(services, { email: credentials.email, password: credentials.password, address });
  if (result.ok) return result.user;
  if (result.reason === "invalid") return null;
  throw new RefusedSignIn(result.reason);
}
