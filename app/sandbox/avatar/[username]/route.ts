import { sandboxOnly } from "@/server/oauth/sandbox/guard";
import { avatarResponse } from "@/server/oauth/sandbox/identity";

// GET /sandbox/avatar/:username – the sandbox accounts' profile pictures
export const GET = sandboxOnly(async (_req, { params }: { params: Promise<{ username: string }> }) => avatarResponse((await params).username));
