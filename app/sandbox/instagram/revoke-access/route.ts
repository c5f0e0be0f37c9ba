import { sandboxRoute } from "@/server/oauth/sandbox/guard";
import { handleRevokeAccess } from "@/server/oauth/sandbox/revokeAccess";

// POST /sandbox/instagram/revoke-access – "Revoke access" on the sandbox Instagram consent page: ends a sandbox user's grants
export const POST = sandboxRoute("consent", (services, req) => handleRevokeAccess(services, "instagram", req));
