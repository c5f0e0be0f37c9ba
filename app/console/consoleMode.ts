/**
 * The console's mode switch remembers the choice in this cookie. The name
 * lives apart from server/console/mode.ts so the switch (a client
 * component) can write it without pulling the database into the browser.
 */
export const CONSOLE_MODE_COOKIE = "layers_console_mode";

/** The cookie as the switch writes it: the console's pages only, a year, never sent cross-site. */
export function consoleModeCookie(mode: "live" | "test"): string {
  return `${CONSOLE_MODE_COOKIE}=${mode}; Path=/console; Max-Age=31536000; SameSite=Lax`;
}
