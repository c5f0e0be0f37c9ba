import type { Metadata } from "next";
import { openApiText } from "@/server/contract/openapi";
import { ApiReference } from "./ApiReference";

export const metadata: Metadata = { title: "API reference · Layers Connect" };

// The same document as GET /v1/openapi.json, rendered at build time: nothing to fetch.
export default function DocsPage() {
  return <ApiReference document={JSON.parse(openApiText()) as Record<string, unknown>} />;
}
