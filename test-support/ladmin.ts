import { run } from "@/server/cli/main";
import type { Services } from "@/server/services";

/** `ladmin args` run in this process on the test's services (no stdin), with what it printed and its exit status. */
export async function runLadmin(services: Services, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const status = await run(args, {
    stdin: "",
    env: {},
    config: services.config,
    database: services.database,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { status, stdout, stderr };
}
