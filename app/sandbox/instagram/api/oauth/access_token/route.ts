import { instagramAccessToken } from "@/server/oauth/sandbox/instagram";
import { getServices } from "@/server/services";

// POST /sandbox/instagram/api/oauth/access_token – code → short-lived token (urlencoded or multipart)
export async function POST(req: Request) {
  return instagramAccessToken(await getServices(), req);
}
