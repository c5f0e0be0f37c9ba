/** A key's first call, as text: the start banner's demo and the console's new-key panel. Pure: safe on the server and the client. */

/** Where the curl needs what the console cannot know yet: the user replaces these. */
export const PROJECT_ID_PLACEHOLDER = "REPLACE_WITH_A_PROJECT_ID";
export const RETURN_URL_PLACEHOLDER = "REPLACE_WITH_A_RETURN_URL_ON_THIS_KEYS_ALLOWLIST";

/** `value` inside single quotes in a POSIX shell. */
const singleQuoted = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** POST /v1/projects/<projectId>/social/oauth-url with the key, as curl. */
export function oauthUrlCurl(input: {
  publicUrl: string;
  projectId: string | null;
  key: string;
  returnUrl: string | null;
  platform: "tiktok" | "instagram";
  usageNote: string;
}): string {
  const body = JSON.stringify({ platform: input.platform, returnUrl: input.returnUrl ?? RETURN_URL_PLACEHOLDER, usageNote: input.usageNote });
  return [
    `curl -X POST ${input.publicUrl}/v1/projects/${input.projectId ?? PROJECT_ID_PLACEHOLDER}/social/oauth-url \\`,
    `  -H "Authorization: Bearer ${input.key}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d ${singleQuoted(body)}`,
  ].join("\n");
}
