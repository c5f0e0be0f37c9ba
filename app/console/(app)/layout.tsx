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
import { getConsoleMode } from "./mode";
import { ModeSwitch } from "./ModeSwitch";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: { template: "%s · Layers Connect console", default: "Layers Connect console" } };

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const context = await getConsoleContext();
  if (!context) redirect("/console/sign-in");
  const { user, org, role } = context;
  const mode = await getConsoleMode();

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
        <ModeSwitch mode={mode} />
        <ConsoleNav isAdmin={role !== "member"} />
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
        {mode === "test" ? (
          <p className={styles.testBanner} role="note">
            <strong>Test mode.</strong> You are looking at test data: attempts and accounts made with <code>lp_test_</code> keys in the
            sandbox. Turn test mode off to see live data.
          </p>
        ) : null}
        <ConsoleProviders role={role} userId={user.id} mode={mode}>
          <HydrationGate>{children}</HydrationGate>
        </ConsoleProviders>
      </main>
    </div>
  );
}
