/**
 * Imported first by every command-line entry point (npm start, ladmin,
 * db:migrate): on a Node older than the project's runtime it ends the
 * process with one line, before anything else is loaded or written.
 * `npm install` brings Node 24 into node_modules/.bin, which npm scripts use.
 */
const REQUIRED_MAJOR = 24;
const major = Number(process.versions.node.split(".")[0]);
if (major < REQUIRED_MAJOR) {
  process.stderr.write(
    `Layers Connect needs Node.js ${REQUIRED_MAJOR} or newer (this is ${process.version}): run it through npm (npm start, npx ladmin), which uses the Node ${REQUIRED_MAJOR} that npm install put in node_modules/.bin.\n`,
  );
  process.exit(1);
}
export {};
