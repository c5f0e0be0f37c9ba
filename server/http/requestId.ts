import { newId } from "@/db/ids";
import type { RequestHeaders } from "./answer";

// Reuse a caller's id only when it is plainly an id: no spaces, no markup, bounded.
const INCOMING_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;

export function requestIdFrom(headers: RequestHeaders): string {
  const incoming = headers.get("x-request-id");
  return incoming && INCOMING_ID.test(incoming) ? incoming : newId("req");
}
