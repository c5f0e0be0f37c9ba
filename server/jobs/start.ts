import { domainContext } from "../domain/context";
import type { Services } from "../services";
import { runWorkers } from "./workers";

/**
 * The server's part in the background work: with LAYERS_WORKER=on it runs
 * the workers itself; with off it leaves them to `npm run worker` processes
 * and only installs the job tables, so the console can show the queues.
 */
export async function startBackgroundWork(services: Services, print: (text: string) => void = (t) => process.stdout.write(t)) {
  if (!services.config.worker) {
    await services.jobs.start({ work: false });
    print("Background jobs: not run here (LAYERS_WORKER=off); run `npm run worker` beside this server.\n");
    return;
  }
  await runWorkers(services.jobs, domainContext(services));
  print(`Background jobs: running here (token refresh sweep every ${formatMs(services.config.refreshSweepMs)}).\n`);
}

export function formatMs(ms: number): string {
  for (const [unit, size] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1_000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
