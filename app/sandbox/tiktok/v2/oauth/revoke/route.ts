import { tiktokRevoke } from "@/server/oauth/sandbox/tiktok";
import { getServices } from "@/server/services";

// POST /sandbox/tiktok/v2/oauth/revoke/ – ends a sandbox TikTok authorization
export async function POST(req: Request) {
  return tiktokRevoke(await getServices(), req);
}
