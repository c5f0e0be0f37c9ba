import type { Metadata } from "next";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { signOutAction } from "@/server/auth/actions";
import { getConsoleContext } from "@/server/auth/session";
import styles from "../console.module.css";
import { Badge } from "../_ui/Badge";
import { HydrationGate } from "../_ui/HydrationGate";
import { roleLabel } from "../_ui/format";
import { ConsoleProviders } from "../trpc";
import { ConsoleNav } from "./ConsoleNav";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: { template: "%s · Layers Connect console", default: "Layers Connect console" } };

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const context = await getConsoleContext();
  if (!context) redirect("/console/sign-in");
  const { user, org, role } = context;

  return (
    <div className={styles.shell}>
      <a href="#main" className={styles.skip}>
        Skip to content
      </a>
      <aside className={styles.sidebar}>
        <a href="/console" className={styles.brand}>
          <span className={styles.brandMark} aria-hidden="true">
            L
          </span>
          <span>
            Layers Connect
            <span className={styles.orgName}>{org.name}</span>
          </span>
        </a>
        <ConsoleNav />
        <div className={styles.who}>
          <span className={styles.whoEmail}>{user.email}</span>
          <span>
            <Badge tone={role === "member" ? "neutral" : "blue"}>{roleLabel(role)}</Badge>
          </span>
          <form action={signOutAction}>
            <button type="submit" className={`${styles.buttonSecondary} ${styles.compact}`}>
              Sign out
            </button>
          </form>
        </div>
      </aside>
      <main id="main" className={styles.main} tabIndex={-1}>
        <ConsoleProviders role={role} userId={user.id}>
          <HydrationGate>{children}</HydrationGate>
        </ConsoleProviders>
      </main>
    </div>
  );
}
