import { sandboxRoute } from "@/server/oauth/sandbox/guard";
import { tiktokRevoke } from "@/server/oauth/sandbox/tiktok";

// POST /sandbox/tiktok/v2/oauth/revoke/ – ends a sandbox TikTok authorization
export const POST = sandboxRoute("tiktok-oauth", (services, req) => tiktokRevoke(services, req));
