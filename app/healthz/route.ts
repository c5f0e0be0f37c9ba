// Liveness: the process answers. No key, no database: a restart will not fix a database outage.
export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
}
