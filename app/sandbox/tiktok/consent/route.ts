import { handleConsent } from "@/server/oauth/sandbox/authorize";
import { getServices } from "@/server/services";

// POST /sandbox/tiktok/consent – Authorize or Cancel on the sandbox TikTok consent page
export async function POST(req: Request) {
  return handleConsent(await getServices(), "tiktok", req);
}
