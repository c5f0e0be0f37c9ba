import { tiktokUserInfo } from "@/server/oauth/sandbox/tiktok";
import { getServices } from "@/server/services";

// GET /sandbox/tiktok/v2/user/info/?fields=... – the sandbox user's TikTok profile
export async function GET(req: Request) {
  return tiktokUserInfo(await getServices(), req);
}
