/**
 * `npm run worker`: the background jobs (token refresh sweep and refreshes,
 * ending abandoned OAuth attempts) in a process of their own, beside servers
 * started with LAYERS_WORKER=off, so web and workers scale apart. Any number
 * may run: the queues hand each job to one of them.
 *
 * package.json runs it with tsx as a loader (`node --import tsx`), not tsx's
 * CLI: the CLI runs the script in a child process, relays signals to it, and
 * SIGKILLs it when the child does not acknowledge within 30 ms, which under
 * load cut the graceful stop short.
 */
import "@/server/runtime/requireNode";
import { configOrExit, envOrExit } from "@/server/cli/config";
import { domainContext } from "@/server/domain/context";
import { isEmbedded } from "@/server/env";
import { formatMs } from "@/server/jobs/start";
import { runWorkers } from "@/server/jobs/workers";
import { createServices } from "@/server/services";

// Checked before any secret is resolved, which in embedded mode would write one into the data dir.
if (isEmbedded(envOrExit())) {
  process.stderr.write(
    "npm run worker needs DATABASE_URL: the embedded database belongs to the one `npm start` process, which runs the workers itself (LAYERS_WORKER=on).\n",
  );
  process.exit(1);
}
const config = configOrExit();
const services = await createServices(config, { poolSize: 4 });

// Before anything can be working: a signal during start-up stops cleanly too.
let stopping: Promise<void> | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    // Jobs in hand finish (up to pg-boss's graceful timeout); the rest wait in the queue for another worker.
    stopping ??= services.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

await services.database.migrate();
await runWorkers(services.jobs, domainContext(services));
process.stdout.write(`Layers Connect worker running: token refresh sweep every ${formatMs(config.refreshSweepMs)}. Stop with Ctrl-C.\n`);
