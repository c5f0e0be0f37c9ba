"use client";

import { ApiReferenceReact } from "@scalar/api-reference-react";
import "@scalar/api-reference-react/style.css";

/**
 * Scalar's reference page, bundled with the app. Everything that would
 * reach another host is off: its web fonts (system fonts instead), the AI
 * agent and MCP panels, the developer toolbar and telemetry. The e2e test
 * docs.spec.ts fails if a request leaves the instance anyway.
 */
export function ApiReference({ document }: { document: Record<string, unknown> }) {
  return (
    <ApiReferenceReact
      configuration={{
        content: document,
        withDefaultFonts: false,
        agent: { disabled: true },
        mcp: { disabled: true },
        showDeveloperTools: "never",
        telemetry: false,
        hideClientButton: true,
        documentDownloadType: "json",
        // Seven routes: all of them open, and the Bearer key already chosen for "Test request".
        defaultOpenAllTags: true,
        authentication: { preferredSecurityScheme: "apiKey" },
      }}
    />
  );
}
