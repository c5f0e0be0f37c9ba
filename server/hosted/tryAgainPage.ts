import { hostedErrorPage } from "./errorPage";

/**
 * The end-customer's page when the callback cannot reach the database (an
 * outage): nothing was decided, so reloading the same callback URL once the
 * database is back finishes the connection. 503 with Retry-After, never cached,
 * so a reload asks again.
 */
export function tryAgainPage(retryAfterSeconds = 5): Response {
  const page = hostedErrorPage(
    "Try again in a moment",
    "Layers is briefly unable to finish connecting your account. Nothing is lost: reload this page in a few seconds to complete the connection.",
    503,
  );
  page.headers.set("Retry-After", String(retryAfterSeconds));
  page.headers.set("Cache-Control", "no-store");
  return page;
}
