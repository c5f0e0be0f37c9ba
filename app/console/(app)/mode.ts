import { cookies } from "next/headers";
import { cache } from "react";
import { getConsoleContext } from "@/server/auth/session";
import { consoleMode } from "@/server/console/mode";
import type { KeyMode } from "@/server/contract/vocabulary";
import { domainContext } from "@/server/domain/context";
import { memberScope } from "@/server/domain/scope";
import { getServices } from "@/server/services";
import { CONSOLE_MODE_COOKIE } from "../consoleMode";

/**
 * The mode this request's pages show, read once per request: the layout
 * (switch, banner) and the page (its prefetched queries) must agree, or the
 * first paint would hold one mode's data under the other's key.
 */
export const getConsoleMode = cache(async (): Promise<KeyMode> => {
  const [context, jar, services] = await Promise.all([getConsoleContext(), cookies(), getServices()]);
  // Signed out: the layout redirects to the sign-in page; what is returned here is never shown.
  if (!context) return "live";
  return consoleMode(domainContext(services), memberScope(context.org.id, context.user.id), jar.get(CONSOLE_MODE_COOKIE)?.value);
});
