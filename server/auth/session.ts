import { cache } from "react";
import { getServices } from "../services";
import { countUsers, findMembership } from "../users/service";
import { auth } from "./config";

export interface ConsoleContext {
  user: { id: string; email: string; name: string | null };
  org: { id: string; name: string };
  role: "owner" | "admin" | "member";
}

/** The signed-in user, their organization and role; null when signed out (or removed since). */
export const getConsoleContext = cache(async (): Promise<ConsoleContext | null> => {
  const session = await auth();
  const userId = session?.user?.id;
  if (!userId) return null;
  return findMembership((await getServices()).database.db, userId);
});

export async function hasAnyUser(): Promise<boolean> {
  return (await countUsers((await getServices()).database.db)) > 0;
}
