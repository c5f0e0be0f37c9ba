import { handlers } from "@/server/auth/config";

// next-auth's sign-in, sign-out, session and CSRF endpoints for the console
export const { GET, POST } = handlers;
