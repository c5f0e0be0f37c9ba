import { TRPCClientError } from "@trpc/client";

type Issue = { path?: unknown; message?: unknown };

/** The console's own words for the fields the server names in validation issues. */
const FIELD_LABEL: Record<string, string> = {
  name: "Name",
  email: "Email",
  password: "Password",
  role: "Role",
  url: "Return URL",
  allow: "Allowed return URLs",
  scopes: "Scopes",
  mode: "Mode",
  writeLimit: "Write limit",
  readLimit: "Read limit",
};

function issueText(issues: Issue[]): string {
  return issues
    .map((issue) => {
      const path = typeof issue.path === "string" ? issue.path : Array.isArray(issue.path) ? issue.path.join(".") : "";
      const head = path.split(".")[0] ?? "";
      const label = FIELD_LABEL[head] ?? (path && path !== "(body)" ? path : "");
      return `${label ? `${label}: ` : ""}${String(issue.message ?? "is not valid")}`;
    })
    .join(". ");
}

/** The HTTP status tRPC reported for the error, when there is one. */
export function errorStatus(error: unknown): number | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  return (error.data as { httpStatus?: number } | undefined)?.httpStatus;
}

/** The server's validation issues ({ path, message }[]), when the error carries them. */
export function errorIssues(error: unknown): { path: string; message: string }[] {
  if (!(error instanceof TRPCClientError)) return [];
  const issues = (error.data as { issues?: unknown } | undefined)?.issues;
  return Array.isArray(issues) ? (issues as { path: string; message: string }[]) : [];
}

/** A sentence for the person at the screen, from whatever a query or mutation threw. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const code = (error.data as { code?: string } | undefined)?.code;
    if (code === "UNAUTHORIZED") return "Your session has ended. Sign in again.";
    // A specific message ("A user with email … already exists.") beats the issue list; the
    // generic "The request is invalid: see issues." does not.
    const issues = errorIssues(error);
    if (issues.length > 0 && (!error.message || /see issues/i.test(error.message))) return issueText(issues);
    // Input the procedure's own zod schema refused: tRPC sends zod's issue list as JSON.
    if (error.message.startsWith("[")) {
      try {
        const parsed = JSON.parse(error.message) as Issue[];
        if (Array.isArray(parsed) && parsed.length > 0) return issueText(parsed);
      } catch {
        // not JSON after all: fall through to the message itself
      }
    }
    if (error.message) return error.message;
  }
  if (error instanceof Error && error.message) {
    if (/failed to fetch|networkerror|load failed/i.test(error.message)) return "Could not reach the server. Check your connection and try again.";
    return error.message;
  }
  return "Something went wrong. Try again.";
}
