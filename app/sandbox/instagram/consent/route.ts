import { handleConsent } from "@/server/oauth/sandbox/authorize";
import { getServices } from "@/server/services";

// POST /sandbox/instagram/consent – Authorize or Cancel on the sandbox Instagram consent page
export async function POST(req: Request) {
  return handleConsent(await getServices(), "instagram", req);
}
