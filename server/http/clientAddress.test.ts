import { describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER, clientAddress, recordedClientAddress, UNKNOWN_ADDRESS } from "./clientAddress";

const headers = (h: Record<string, string>) => new Headers(h);

describe("clientAddress", () => {
  it("with no trusted proxy is the socket's address, whatever X-Forwarded-For says", () => {
    expect(clientAddress(headers({ [CLIENT_ADDRESS_HEADER]: recordedClientAddress("203.0.113.9"), "x-forwarded-for": "1.2.3.4" }), 0)).toBe("203.0.113.9");
  });

  it("behind one proxy is the address that proxy appended, not one the client forged before it", () => {
    const h = headers({ [CLIENT_ADDRESS_HEADER]: recordedClientAddress("10.0.0.2"), "x-forwarded-for": "6.6.6.6, 198.51.100.7" });
    expect(clientAddress(h, 1)).toBe("198.51.100.7");
  });

  it("behind two proxies counts two hops from the right", () => {
    const h = headers({ [CLIENT_ADDRESS_HEADER]: recordedClientAddress("10.0.0.2"), "x-forwarded-for": "6.6.6.6, 198.51.100.7, 10.0.0.1" });
    expect(clientAddress(h, 2)).toBe("198.51.100.7");
  });

  it("with fewer forwarded entries than trusted hops takes the leftmost one", () => {
    expect(clientAddress(headers({ [CLIENT_ADDRESS_HEADER]: recordedClientAddress("10.0.0.2"), "x-forwarded-for": "198.51.100.7" }), 3)).toBe("198.51.100.7");
  });

  it("believes no copy of the header the client sent itself (bare `next start`): without this process's mark it is the unknown address", () => {
    const recorded = recordedClientAddress("203.0.113.9");
    const forgedMark = recorded.replace(/^\S/, (c) => (c === "A" ? "B" : "A"));
    for (const forged of ["203.0.113.9", " 203.0.113.9", `${forgedMark}`, `${recorded.split(" ")[0]}x 203.0.113.9`]) {
      expect(clientAddress(headers({ [CLIENT_ADDRESS_HEADER]: forged }), 0), forged).toBe(UNKNOWN_ADDRESS);
    }
    expect(clientAddress(headers({ [CLIENT_ADDRESS_HEADER]: recorded }), 0)).toBe("203.0.113.9");
  });

  it("without a recorded socket address is the one shared unknown", () => {
    expect(clientAddress(headers({ "x-forwarded-for": "1.2.3.4" }), 0)).toBe(UNKNOWN_ADDRESS);
  });
});
