/**
 * Next runs this once when the server starts, before it serves: migrations
 * and first-start seeding happen in the process that holds the database,
 * then (LAYERS_WORKER=on, the default) the background jobs start here too.
 * A host that made the services itself (the test harness running Next's
 * router in-process) does all of that itself.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getServices, servicesInjected } = await import("./server/services");
  if (servicesInjected()) return;
  const { bootstrap } = await import("./server/bootstrap");
  const { startBackgroundWork } = await import("./server/jobs/start");
  const services = await getServices();
  await bootstrap(services);
  await startBackgroundWork(services);
}
