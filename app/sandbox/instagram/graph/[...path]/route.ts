import { instagramGraph } from "@/server/oauth/sandbox/instagram";
import { getServices } from "@/server/services";

// GET /sandbox/instagram/graph/[vXX.X/](access_token|refresh_access_token|me) – the sandbox's graph.instagram.com
export async function GET(req: Request, { params }: { params: Promise<{ path: string[] }> }) {
  return instagramGraph(await getServices(), req, (await params).path);
}
