import { expect, type Page, test } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { type Received, type Receiver, startReceiver } from "../test-support/webhookReceiver";
import type { Instance } from "./support/layers";
import { connectSandbox, signIn, useLiveInstance } from "./support/live";

/**
 * Webhooks in the console, against `npm start` (embedded, where http to
 * localhost is allowed) and a real receiver: an admin creates an endpoint
 * and keeps its secret, a sandbox connection arrives signed with it, the
 * endpoint's page shows the delivery, its tries and payload; the admin
 * resends it, sends a test event, rotates the secret (two signatures), and
 * disables and enables the endpoint. A member reads all of it and changes
 * nothing.
 */
test.describe.configure({ mode: "serial" });

const admin = { email: "hooks-admin@acme.example", password: "a long enough password", role: "admin" } as const;
const member = { email: "hooks-member@acme.example", password: "another long password", role: "member" } as const;
const fixture = useLiveInstance([admin, member]);
let instance: Instance;
let receiver: Receiver;
test.beforeAll(async () => {
  ({ instance } = fixture);
  receiver = await startReceiver({ tls: false });
});
test.afterAll(() => receiver?.close());

/** The requests the receiver got of one event type, once there are `count`. */
async function receivedOf(type: string, count = 1): Promise<Received[]> {
  const of = () => receiver.received.filter((r) => (JSON.parse(r.body) as { type: string }).type === type);
  await expect.poll(() => of().length, { timeout: 15_000 }).toBeGreaterThanOrEqual(count);
  return of();
}

const deliveryRow = (page: Page, type: string) => page.getByRole("table", { name: /Deliveries/ }).getByRole("row").filter({ has: page.getByRole("rowheader", { name: new RegExp(`^${type.replace(".", "\\.")}`) }) });

test("an admin creates an endpoint, receives a signed connection, and works its deliveries", async ({ page }) => {
  await signIn(page, instance.url, admin);
  const testMode = page.getByRole("switch", { name: "Test mode" });
  await testMode.click();
  await expect(testMode).toBeChecked();
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Webhooks", exact: true }).click();
  await expect(page.getByText("No test-mode webhook endpoints yet.")).toBeVisible();

  // Plain http to anywhere but localhost is refused, in the field; the receiver's localhost URL is taken (embedded mode).
  await page.getByLabel("URL").fill("http://hooks.example.com/layers");
  await page.getByRole("button", { name: "Create endpoint" }).click();
  await expect(page.locator("#endpoint-url-error")).toContainText("https");
  await expect(page.getByLabel("URL")).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("URL").fill(receiver.url);
  await page.getByLabel("Description (optional)").fill("Acme's receiver");
  await page.getByRole("button", { name: "Create endpoint" }).click();
  await expect(page.getByRole("heading", { name: "Webhook endpoint created" })).toBeVisible();
  const secret = await page.getByRole("textbox", { name: "Signing secret" }).inputValue();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("textbox", { name: "Signing secret" })).toHaveCount(0);
  await expect(page.getByRole("row").filter({ hasText: receiver.url })).toContainText("Enabled");

  // An end-customer connects through the sandbox: the receiver gets it, signed with the secret shown once.
  const connected = await connectSandbox(page, instance, "hooked_person");
  const [got] = await receivedOf("social_account.connected");
  const body = new Webhook(secret).verify(got!.body, got!.headers) as { data: { id: string; username: string; state: string } };
  expect(body.data).toMatchObject({ id: connected.accountId, username: "hooked_person", state: connected.state });

  // The endpoint's page: the delivery, its try, and the exact payload.
  await page.goto(`${instance.url}/console/webhooks`);
  await page.getByRole("link", { name: receiver.url }).click();
  const delivery = deliveryRow(page, "social_account.connected");
  await expect(delivery).toContainText("Succeeded");
  await expect(delivery).toContainText("HTTP 200");
  await delivery.getByRole("button", { name: /^Show delivery whd_/ }).click();
  await expect(page.getByRole("table", { name: /^Tries of delivery/ }).getByRole("row")).toHaveCount(2);
  const payload = page.getByLabel(`Payload of event ${got!.headers["webhook-id"]}`);
  await expect(payload).toContainText('"username": "hooked_person"');

  // Resend: the same event again, under the same webhook-id.
  await page.getByRole("button", { name: "Resend" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Queued again as delivery" })).toBeVisible();
  const twice = await receivedOf("social_account.connected", 2);
  expect(twice.map((r) => r.headers["webhook-id"])).toEqual([got!.headers["webhook-id"], got!.headers["webhook-id"]]);

  // A test event, then a rotation: the next test event carries two signatures, one per secret.
  await page.getByRole("button", { name: "Send test event" }).click();
  await expect(page.getByRole("status").filter({ hasText: /^Test event evt_\w+ queued/ })).toBeVisible();
  await receivedOf("webhook.test");
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(deliveryRow(page, "webhook.test")).toContainText("Succeeded");

  await page.getByRole("button", { name: "Rotate secret" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Yes, rotate" }).click();
  await expect(page.getByRole("heading", { name: "New signing secret" })).toBeVisible();
  const rotated = await page.getByRole("textbox", { name: "Signing secret" }).inputValue();
  expect(rotated).not.toBe(secret);
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByText(/Rotated: the previous secret signs beside the new one until/)).toBeVisible();
  await page.getByRole("button", { name: "Send test event" }).click();
  const tests = await receivedOf("webhook.test", 2);
  const afterRotation = tests.at(-1)!;
  expect(afterRotation.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
  for (const key of [secret, rotated]) expect(new Webhook(key).verify(afterRotation.body, afterRotation.headers)).toMatchObject({ type: "webhook.test" });

  // Disabled: nothing can be sent to it until it is enabled again.
  await page.getByRole("button", { name: "Disable" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Yes, disable" }).click();
  await expect(page.getByText("Disabled by an admin.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Send test event" })).toBeDisabled();
  await page.getByRole("button", { name: "Enable" }).click();
  await expect(page.getByRole("button", { name: "Send test event" })).toBeEnabled();
  await expect(page.getByText("Disabled by an admin.")).toHaveCount(0);
  await page.screenshot({ path: "docs/console-webhooks.png", fullPage: true });
});

test("a member reads endpoints, deliveries and payloads, and changes nothing", async ({ page }) => {
  await signIn(page, instance.url, member);
  const testMode = page.getByRole("switch", { name: "Test mode" });
  await testMode.click();
  await expect(testMode).toBeChecked();
  await page.goto(`${instance.url}/console/webhooks`);
  await expect(page.getByRole("heading", { name: "Create webhook endpoint" })).toHaveCount(0);
  await page.getByRole("link", { name: receiver.url }).click();
  const delivery = deliveryRow(page, "social_account.connected").first();
  await expect(delivery).toContainText("Succeeded");
  await delivery.getByRole("button", { name: /^Show delivery whd_/ }).click();
  await expect(page.getByLabel(/^Payload of event evt_/)).toContainText('"username": "hooked_person"');
  for (const action of ["Send test event", "Disable", "Rotate secret", "Delete", "Resend"]) await expect(page.getByRole("button", { name: action, exact: true })).toHaveCount(0);
});
