import { sandboxRoute } from "@/server/oauth/sandbox/guard";
import { tiktokUserInfo } from "@/server/oauth/sandbox/tiktok";

// GET /sandbox/tiktok/v2/user/info/?fields=... – the sandbox user's TikTok profile
export const GET = sandboxRoute("tiktok-api", (services, req) => tiktokUserInfo(services, req));
