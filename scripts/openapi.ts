/** `npm run openapi`: writes openapi.json from the route table, so API changes show in diffs (a test fails while it is stale). */
import "@/server/runtime/requireNode";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { openApiText } from "@/server/contract/openapi";

const file = join(import.meta.dirname, "..", "openapi.json");
writeFileSync(file, openApiText());
process.stdout.write(`Wrote ${file}.\n`);
