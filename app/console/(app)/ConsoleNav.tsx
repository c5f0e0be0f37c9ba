"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import styles from "../console.module.css";

const LINKS: Array<{ href: string; label: string; adminOnly?: boolean }> = [
  { href: "/console", label: "Overview" },
  { href: "/console/projects", label: "Projects" },
  { href: "/console/keys", label: "API keys" },
  { href: "/console/attempts", label: "Attempts" },
  { href: "/console/accounts", label: "Accounts" },
  { href: "/console/webhooks", label: "Webhooks" },
  { href: "/console/audit", label: "Audit log" },
  { href: "/console/members", label: "Members" },
  // The instance's worker processes are operator information: owners and admins only (server/trpc/routers/operations.ts).
  { href: "/console/operations", label: "Operations", adminOnly: true },
  { href: "/docs", label: "API reference" },
];

export function ConsoleNav({ isAdmin }: { isAdmin: boolean }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Console" className={styles.nav}>
      <ul>
        {LINKS.filter((link) => isAdmin || !link.adminOnly).map(({ href, label }) => {
          // The page itself is "page"; a detail page below it marks its section as "true".
          const current = pathname === href ? "page" : href !== "/console" && pathname.startsWith(`${href}/`) ? "true" : undefined;
          return (
            <li key={href}>
              <Link href={href} className={styles.navLink} aria-current={current}>
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
