import { sandboxRoute } from "@/server/oauth/sandbox/guard";
import { tiktokToken } from "@/server/oauth/sandbox/tiktok";

// POST /sandbox/tiktok/v2/oauth/token/ – the sandbox's TikTok token endpoint (code and refresh grants)
export const POST = sandboxRoute("tiktok-oauth", (services, req) => tiktokToken(services, req));
