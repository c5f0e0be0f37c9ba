import { readiness, UNAVAILABLE_READINESS } from "@/server/health";
import { getServices } from "@/server/services";

// Readiness: the database is reachable and migrated (Redis is reported, not required). No key.
export const dynamic = "force-dynamic";

export async function GET() {
  const report = await getServices().then(readiness, () => UNAVAILABLE_READINESS);
  return Response.json(report, { status: report.status === "ready" ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
