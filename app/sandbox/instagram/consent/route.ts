import { handleConsent } from "@/server/oauth/sandbox/authorize";
import { sandboxRoute } from "@/server/oauth/sandbox/guard";

// POST /sandbox/instagram/consent – Authorize or Cancel on the sandbox Instagram consent page
export const POST = sandboxRoute("consent", (services, req) => handleConsent(services, "instagram", req));
