import { handleConsent } from "@/server/oauth/sandbox/authorize";
import { sandboxRoute } from "@/server/oauth/sandbox/guard";

// POST /sandbox/tiktok/consent – Authorize or Cancel on the sandbox TikTok consent page
export const POST = sandboxRoute("consent", (services, req) => handleConsent(services, "tiktok", req));
