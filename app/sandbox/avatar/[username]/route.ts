import { avatarResponse } from "@/server/oauth/sandbox/identity";

// GET /sandbox/avatar/:username – the sandbox accounts' profile pictures
export async function GET(_req: Request, { params }: { params: Promise<{ username: string }> }) {
  return avatarResponse((await params).username);
}
