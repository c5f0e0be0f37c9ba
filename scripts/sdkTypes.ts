/**
 * `npm run sdk:types`: writes the TypeScript SDK's types (sdk/typescript/src/schema.ts)
 * from the committed openapi.json with openapi-typescript. The SDK's package test
 * compares the committed file with `sdkTypesText()` and fails while it is stale.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import openapiTS, { astToString, COMMENT_HEADER } from "openapi-typescript";

const root = join(import.meta.dirname, "..");
export const SDK_TYPES_FILE = join(root, "sdk", "typescript", "src", "schema.ts");

// Why this file is long: it says so first, before openapi-typescript's own header.
const WHY_LONG = `/**
 * The API's types, generated from openapi.json by \`npm run sdk:types\`. It is
 * one file of well over 300 lines because it mirrors the whole OpenAPI
 * document, path by path; it is never edited or split by hand.
 */
`;

export async function sdkTypesText(): Promise<string> {
  return WHY_LONG + COMMENT_HEADER + astToString(await openapiTS(pathToFileURL(join(root, "openapi.json")), { silent: true }));
}

if (import.meta.main) {
  writeFileSync(SDK_TYPES_FILE, await sdkTypesText());
  process.stdout.write(`Wrote ${SDK_TYPES_FILE}.\n`);
}
