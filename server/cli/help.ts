import { API_SCOPES } from "../keys/scopes";
import type { Command } from "./command";

export function usage(commands: readonly Command[]): string {
  const lines = commands.map((c) => {
    const lead = `  ${c.words.join(" ")} `;
    return (lead + c.synopsis.replaceAll("\n", `\n${" ".repeat(lead.length)}`)).trimEnd();
  });
  return `Usage: ladmin <command> [--json]

Commands:
${lines.join("\n")}

  SCOPES is a comma-separated list of ${API_SCOPES.join(", ")}.
  N/WINDOW is a rate budget such as 60/60s (window units: ms, s, m, h, d).
  Allowlist URLs are https, or http for localhost and 127.0.0.1 only.
  users create reads the password from stdin, or prompts for it on a terminal.
  accounts, attempts and webhooks list show both modes, live and test;
  attempts list shows the newest N attempts of each (1 to 100, default 100).

Options:
  --json      print only the result, as one JSON object
  -h, --help  show this help

ladmin uses the server's database: DATABASE_URL, or the embedded one in
LAYERS_DATA_DIR (default ./.data in the project root). The embedded one can be
used while the server is stopped. Exit status: 0 done, 1 failed, 2 bad arguments.
`;
}
