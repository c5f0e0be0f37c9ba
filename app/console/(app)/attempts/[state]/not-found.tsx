import type { Metadata } from "next";
import { AttemptNotFound } from "./AttemptNotFound";

export const metadata: Metadata = { title: "Attempt not found" };

/** /console/attempts/<unknown or malformed state>: a 404 in the console's own layout. */
export default function AttemptNotFoundPage() {
  return <AttemptNotFound />;
}
