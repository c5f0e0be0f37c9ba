import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Receiver, startReceiver } from "@/test-support/webhookReceiver";
import { hostProblem, isBlockedAddress, type Lookup, urlProblem } from "./address";
import { sendWebhook } from "./send";

/** The SSRF guard (CONTRACT.md §8): what a webhook URL may be, and where a delivery may connect. */

const strict = { allowPrivate: false, embedded: false };
const embedded = { allowPrivate: true, embedded: true };
/** A resolver that answers what the test says, as a hostile DNS server would. */
const resolvesTo =
  (...addresses: string[]): Lookup =>
  (_host, _options, callback) =>
    callback(null, addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })));

describe("isBlockedAddress", () => {
  it.each([
    "127.0.0.1",
    "127.1.2.3",
    "10.0.0.5",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fd00:ec2::254",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.1.2.3",
    "not an address",
  ])("refuses %s", (address) => expect(isBlockedAddress(address)).toBe(true));

  it.each(["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:93.184.216.34"])("lets %s through", (address) =>
    expect(isBlockedAddress(address)).toBe(false),
  );
});

describe("urlProblem", () => {
  it("wants https, except http to this machine in embedded mode", () => {
    expect(urlProblem("https://hooks.example.com/x", strict)).toBeNull();
    expect(urlProblem("http://hooks.example.com/x", strict)).toBe("must be https");
    expect(urlProblem("http://localhost:4000/x", strict)).toBe("must be https");
    expect(urlProblem("http://localhost:4000/x", embedded)).toBeNull();
    expect(urlProblem("http://127.0.0.1:4000/x", embedded)).toBeNull();
    expect(urlProblem("http://hooks.example.com/x", embedded)).toMatch(/https \(http only to localhost/);
  });

  it("refuses what is not a plain absolute URL", () => {
    expect(urlProblem("hooks.example.com/x", strict)).toMatch(/absolute URL/);
    expect(urlProblem("https://user:pw@hooks.example.com/x", strict)).toMatch(/user name or password/);
    expect(urlProblem("https://hooks.example.com/x#frag", strict)).toMatch(/fragment/);
    expect(urlProblem("ftp://hooks.example.com/x", strict)).toBe("must be https");
  });
});

describe("hostProblem", () => {
  it("refuses a name that resolves to 127.0.0.1, unless private addresses are allowed", async () => {
    expect(await hostProblem("localhost", strict)).toMatch(/resolves to (127\.0\.0\.1|::1), a loopback/);
    expect(await hostProblem("localhost", embedded)).toBeNull();
  });

  it("refuses a name if any of its addresses is inside, and IP literals by themselves", async () => {
    expect(await hostProblem("mixed.example", strict, resolvesTo("93.184.216.34", "10.0.0.7"))).toMatch(/10\.0\.0\.7/);
    expect(await hostProblem("public.example", strict, resolvesTo("93.184.216.34"))).toBeNull();
    expect(await hostProblem("169.254.169.254", strict)).toMatch(/non-public/);
    expect(await hostProblem("[::1]", strict)).toMatch(/non-public/);
  });

  it("says so when a name does not resolve", async () => {
    const nothing: Lookup = (_host, _options, callback) => callback(Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" }), []);
    expect(await hostProblem("nowhere.invalid", strict, nothing)).toMatch(/does not resolve/);
  });
});

describe("sendWebhook", () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  it("connects only to the address it checked: a name that resolved outside at creation and inside now reaches nothing", async () => {
    const before = receiver.received.length;
    // A DNS rebinding: the same name, now answering with this machine's address.
    const result = await sendWebhook(receiver.url, {}, "{}", { allowPrivate: false, lookup: resolvesTo("127.0.0.1") });
    expect(result.status).toBeNull();
    expect(result.error).toMatch(/resolved to 127\.0\.0\.1, a non-public address/);
    expect(receiver.received.length).toBe(before);
  });

  it("reaches the same receiver when private addresses are allowed", async () => {
    const result = await sendWebhook(receiver.url, { "webhook-id": "evt_x" }, '{"a":1}', { allowPrivate: true });
    expect(result).toMatchObject({ status: 200, error: null });
    expect(receiver.received.at(-1)).toMatchObject({ body: '{"a":1}', headers: { "webhook-id": "evt_x", "content-type": "application/json" } });
  });

  it("gives up on a receiver that does not answer in time", async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const result = await sendWebhook(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/x`, {}, "{}", { allowPrivate: true, timeoutMs: 200 });
      expect(result).toMatchObject({ status: null, error: "no answer within 0.2 s" });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
