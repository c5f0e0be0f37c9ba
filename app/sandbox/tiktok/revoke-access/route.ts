import { sandboxRoute } from "@/server/oauth/sandbox/guard";
import { handleRevokeAccess } from "@/server/oauth/sandbox/revokeAccess";

// POST /sandbox/tiktok/revoke-access – "Revoke access" on the sandbox TikTok consent page: ends a sandbox user's grants
export const POST = sandboxRoute("consent", (services, req) => handleRevokeAccess(services, "tiktok", req));
