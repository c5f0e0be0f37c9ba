/**
 * Next runs this once when the server starts, before it serves: migrations
 * and first-start seeding happen in the process that holds the database.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getServices } = await import("./server/services");
  const { bootstrap } = await import("./server/bootstrap");
  await bootstrap(await getServices());
}
