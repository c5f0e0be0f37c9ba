import { sandboxRoute } from "@/server/oauth/sandbox/guard";
import { instagramAccessToken } from "@/server/oauth/sandbox/instagram";

// POST /sandbox/instagram/api/oauth/access_token – code → short-lived token (urlencoded or multipart)
export const POST = sandboxRoute("instagram-oauth", (services, req) => instagramAccessToken(services, req));
