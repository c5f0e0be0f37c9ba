import { tiktokToken } from "@/server/oauth/sandbox/tiktok";
import { getServices } from "@/server/services";

// POST /sandbox/tiktok/v2/oauth/token/ – the sandbox's TikTok token endpoint (code and refresh grants)
export async function POST(req: Request) {
  return tiktokToken(await getServices(), req);
}
