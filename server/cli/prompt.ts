import type { CliIo, InputStream } from "./io";
import { UsageError } from "./args";

/** Ctrl-C at the password prompt: the run ends with status 130 and no failure line. */
export class Interrupted extends Error {}

/** The password: prompted twice on a terminal, else all of stdin less its final newline. */
export async function readPassword(io: Pick<CliIo, "stdin" | "stderr">): Promise<string> {
  const { stdin } = io;
  if (typeof stdin === "string") return withoutFinalNewline(stdin);
  if (stdin.isTTY && stdin.setRawMode) {
    const password = await promptHidden(stdin, io.stderr, "Password: ");
    if (password !== (await promptHidden(stdin, io.stderr, "Repeat password: "))) throw new UsageError("the passwords do not match");
    return password;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return withoutFinalNewline(Buffer.concat(chunks).toString("utf8"));
}

const withoutFinalNewline = (text: string) => text.replace(/\r?\n$/, "");

/** Reads one line from the terminal without echoing it. */
function promptHidden(stdin: InputStream, stderr: (text: string) => void, prompt: string): Promise<string> {
  stderr(prompt);
  stdin.setRawMode!(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = (then: () => void) => {
      stdin.removeListener("data", onData);
      stdin.setRawMode!(false);
      stdin.pause();
      stderr("\n");
      then();
    };
    const onData = (chunk: string | Buffer) => {
      for (const char of String(chunk)) {
        if (char === "\r" || char === "\n" || (char === "\u0004" && !value)) return finish(() => resolve(value));
        if (char === "\u0003") return finish(() => reject(new Interrupted("interrupted")));
        if (char === "\u007f" || char === "\b") value = [...value].slice(0, -1).join("");
        else if (char >= " ") value += char;
      }
    };
    stdin.on("data", onData);
  });
}
