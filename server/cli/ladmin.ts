/** The `ladmin` process (bin/ladmin.mjs loads it): `run` on the real streams, then exit with its status. */
import { processIo } from "./io";
import { run } from "./main";

const status = await run(process.argv.slice(2), processIo());
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((flushed) => stream.write("", flushed))));
// Exit now: a driver's idle timer or a paused stdin must not keep the process alive.
process.exit(status);
