import { sandboxRoute } from "@/server/oauth/sandbox/guard";
import { instagramGraph } from "@/server/oauth/sandbox/instagram";

// GET /sandbox/instagram/graph/[vXX.X/](access_token|refresh_access_token|me) – the sandbox's graph.instagram.com
export const GET = sandboxRoute("instagram-graph", async (services, req, { params }: { params: Promise<{ path: string[] }> }) =>
  instagramGraph(services, req, (await params).path),
);
