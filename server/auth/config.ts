import NextAuth from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { getServices } from "../services";
import { authorizeCredentials } from "./credentials";
import { checkSessionToken } from "./revocation";

/** Console sessions last a working day from the sign-in, however busy; then the admin signs in again. */
export const SESSION_MAX_AGE_S = 8 * 60 * 60;

/**
 * next-auth v5: email + password (Credentials) with JWT sessions. Configured
 * lazily so AUTH_SECRET can come from the embedded data dir. Cookies are
 * httpOnly and sameSite=lax, and `secure` whenever the public URL is https.
 */
export const { handlers, auth, signIn, signOut } = NextAuth(async () => {
  const services = await getServices();
  return {
    secret: services.config.authSecret,
    trustHost: true,
    useSecureCookies: services.config.publicUrl.startsWith("https://"),
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
    jwt: { maxAge: SESSION_MAX_AGE_S },
    pages: { signIn: "/console/sign-in", error: "/console/sign-in" },
    providers: [
      Credentials({
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: (credentials, request) => authorizeCredentials(services, credentials, request),
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        if (user?.id) {
          token.sub = user.id;
          token.signedInAt = Date.now();
          return token;
        }
        // Every later use: refused once the user signed out, was removed or disabled, or 8 h after the sign-in.
        return checkSessionToken(services.database.db, token, SESSION_MAX_AGE_S * 1000);
      },
      session({ session, token }) {
        if (token.sub) session.user.id = token.sub;
        return session;
      },
    },
  };
});
