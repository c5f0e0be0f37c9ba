import type { Metadata } from "next";
import styles from "../../console.module.css";
import { Prefetched, serverTrpc } from "../prefetch";
import { Projects } from "./Projects";

export const metadata: Metadata = { title: "Projects" };

export default async function ProjectsPage() {
  const { trpc, queryClient } = await serverTrpc();
  await queryClient.prefetchQuery(trpc.projects.list.queryOptions());
  return (
    <>
      <header className={styles.pageHeader}>
        <div>
          <h1>Projects</h1>
          <p className={styles.lead}>
            A project groups the social accounts one of your products connects. Its id goes in the oauth-url path.
          </p>
        </div>
      </header>
      <Prefetched>
        <Projects />
      </Prefetched>
    </>
  );
}
