import { count } from "drizzle-orm";
import { organizations } from "@/db/schema";
import { setupCode } from "./auth/setupCode";
import { endAbandonedAttempts } from "./attempts/lease";
import { resealLegacyValues } from "./crypto/sealed";
import { domainContext } from "./domain/context";
import { operatorScope, orgScope } from "./domain/scope";
import { isEmbedded } from "./env";
import { oauthUrlCurl } from "./keys/firstCall";
import { createApiKey } from "./keys/service";
import { countUsers } from "./users/service";
import { createOrganization, listOrganizations } from "./orgs/service";
import { setupTarget } from "./orgs/setup";
import { createProject, listProjects } from "./projects/service";
import type { Services } from "./services";

/**
 * Runs once per server start, before the first request: applies pending
 * migrations, reseals secrets an earlier release stored in the v1 format,
 * ends OAuth attempts whose callback died mid-way,
 * and, on an empty embedded database, creates the demo tenant and
 * prints a key and a curl that work as printed.
 */
export async function bootstrap(services: Services, print: (text: string) => void = (t) => process.stdout.write(t)) {
  await services.database.migrate();
  await resealLegacyValues(domainContext(services));
  // Claims a crashed process left behind end failed/server_error at once, rather than at the job
  // system's next attempts sweep. Each end queues its oauth_attempt.failed deliveries, so the job
  // system starts first (startBackgroundWork then finds it started).
  await services.jobs.start({ work: services.config.worker });
  await endAbandonedAttempts(domainContext(services), new Date());
  const { db } = services.database;
  const { publicUrl } = services.config;
  const [{ n }] = (await db.select({ n: count() }).from(organizations)) as [{ n: number }];
  if (n === 0 && isEmbedded(services.config)) {
    const demo = await seedDemo(services);
    print(demoBanner(publicUrl, demo) + (await consoleBanner(services)));
    return;
  }
  print(await consoleBanner(services));
}

/** Organizations a start names one by one; past this, `ladmin orgs list` does. */
const BANNER_ORGS = 3;

/**
 * Where the console is and how to get in: setup (with its one-time code)
 * while no user exists, sign-in after. The code is printed here only, to the
 * operator who started the server, never served over HTTP. Every start also
 * names the organizations and projects with their ids, and where the keys
 * are, so the demo's ids are never only in the first start's output.
 */
export async function consoleBanner(services: Services): Promise<string> {
  const { publicUrl } = services.config;
  const ctx = domainContext(services);
  const users = await countUsers(services.database.db);
  const orgs = await listOrganizations(ctx, operatorScope({ type: "system" }));
  const orgLines: string[] = [];
  for (const org of orgs.slice(0, BANNER_ORGS)) {
    const projects = (await listProjects(ctx, orgScope(org.id, { type: "system" }))).filter((project) => !project.archivedAt);
    const named = projects.map((project) => `${project.id} (${project.name})`).join(", ") || "no projects yet";
    orgLines.push(`  Organization ${org.id} (${org.name}): ${named}`, `    API keys: the console's Keys page, or npx ladmin keys list --org ${org.id}`);
  }
  if (orgs.length > BANNER_ORGS) orgLines.push(`  and ${orgs.length - BANNER_ORGS} more organizations: npx ladmin orgs list`);
  // The one organization a new user would join; with several, the operator picks one from the list.
  const orgId = orgs.length === 1 ? orgs[0]!.id : "org_...";
  const which = orgs.length > 1 ? "  (npx ladmin orgs list names each organization's id)" : "";
  // Only while no user exists is there a setup to describe.
  const target = users === 0 ? await setupTarget(services.database) : null;
  return [
    "",
    `Layers Connect is running at ${publicUrl}`,
    `  Console:  ${publicUrl}/console`,
    `  API reference: ${publicUrl}/docs`,
    ...orgLines,
    ...(users === 0
      ? [
          target?.kind === "join"
            ? `  No console user yet: open ${publicUrl}/console/setup to become the owner of ${target.orgId} (${target.name})`
            : `  No console user yet: open ${publicUrl}/console/setup to create the first organization and owner`,
          `  Setup code: ${setupCode(services.config.authSecret)}  (the setup page asks for it; shown only while no user exists)`,
          `  or create one with: echo 'a-long-password' | npx ladmin users create --org ${orgId} --email you@example.com --role owner`,
        ]
      : [
          "  Sign in with your console email and password. To add a user (server stopped, when embedded):",
          `    echo 'a-long-password' | npx ladmin users create --org ${orgId} --email you@example.com --role admin`,
        ]),
    ...(which ? [which] : []),
    "",
  ].join("\n");
}

export async function seedDemo(services: Services) {
  const ctx = domainContext(services);
  const actor = { type: "system" } as const;
  const org = await createOrganization(ctx, operatorScope(actor), { name: "Demo organization" });
  const demo = orgScope(org.id, actor);
  const project = await createProject(ctx, demo, { name: "Demo project" });
  const returnUrl = `${services.config.publicUrl}/connect/return`;
  const key = await createApiKey(ctx, demo, { name: "Demo test key", mode: "test", scopes: ["social:write", "social:read"], allow: [returnUrl] });
  return { orgId: org.id, projectId: project.id, key: key.key, keyId: key.id, returnUrl };
}

export function demoBanner(publicUrl: string, demo: Awaited<ReturnType<typeof seedDemo>>): string {
  return [
    "",
    "Layers Connect is running with a fresh embedded database. Demo data:",
    `  organization  ${demo.orgId}`,
    `  project       ${demo.projectId}`,
    `  test API key  ${demo.key}`,
    "  (shown once: only a hash is stored)",
    "",
    "Create a sandbox TikTok authorize URL:",
    "",
    oauthUrlCurl({ publicUrl, projectId: demo.projectId, key: demo.key, returnUrl: demo.returnUrl, platform: "tiktok", usageNote: "Demo connection" }),
    "",
  ].join("\n");
}
