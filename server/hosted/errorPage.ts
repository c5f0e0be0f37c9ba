const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const BADGE_STYLES = {
  problem: "color: #b91c1c; background: #fef2f2;",
  sandbox: "color: #78350f; background: #fef3c7; border: 1px solid #f59e0b; text-transform: uppercase; letter-spacing: .06em;",
} as const;

/**
 * A complete, self-contained HTML page for the moments a route handler (not
 * a React page) must answer a browser: the callback's hosted error page and
 * the sandbox's refusals. It has the React hosted pages' card and header
 * (app/connect/HostedCard.tsx, hosted.module.css: the same sizes and colours,
 * inline, as its policy loads nothing); e2e/connect.spec.ts compares the two
 * in a browser. It cannot be framed.
 */
export function htmlMessagePage(opts: {
  title: string;
  siteName: string;
  badge: { text: string; tone: keyof typeof BADGE_STYLES };
  paragraphs?: readonly string[];
  list?: readonly string[];
  status: number;
}): Response {
  const list = opts.list?.length ? `<ul>${opts.list.map((item) => `<li>${escapeHtml(item)}</li>`).join("")}</ul>` : "";
  const paragraphs = (opts.paragraphs ?? []).map((p) => `<p>${escapeHtml(p)}</p>`).join("\n  ");
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(opts.title)} · ${escapeHtml(opts.siteName)}</title>
<style>
  :root { color-scheme: light; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f7f7f8; color: #18181b;
         font-family: ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; line-height: 1.5; }
  main { width: 100%; max-width: 30rem; box-sizing: border-box; margin: 1.5rem; background: #fff; border: 1px solid #e4e4e7; border-radius: 12px; padding: 2rem;
         box-shadow: 0 1px 2px rgb(0 0 0 / 0.04), 0 8px 24px rgb(0 0 0 / 0.04); }
  .brand { font-size: .8rem; font-weight: 600; letter-spacing: .04em; text-transform: uppercase; color: #52525b; margin: 0 0 1.25rem; }
  h1 { font-size: 1.4rem; line-height: 1.25; margin: 0 0 .75rem; }
  p, li { color: #3f3f46; }
  p { margin: 0 0 1rem; }
  .badge { display: inline-block; font-size: .8rem; font-weight: 600; border-radius: 999px; padding: .15rem .6rem; margin-bottom: 1rem; ${BADGE_STYLES[opts.badge.tone]} }
</style>
</head>
<body>
<main aria-labelledby="hosted-title">
  <p class="brand">${escapeHtml(opts.siteName)}</p>
  <span class="badge">${escapeHtml(opts.badge.text)}</span>
  <h1 id="hosted-title">${escapeHtml(opts.title)}</h1>
  ${list}
  ${paragraphs}
</main>
</body>
</html>`;
  return new Response(html, {
    status: opts.status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
    },
  });
}

/** The hosted error page: the callback answers with it (HTTP 400) when no attempt can be identified. */
export function hostedErrorPage(title: string, message: string, status = 400): Response {
  return htmlMessagePage({ title, siteName: "Layers Connect", badge: { text: "Connection problem", tone: "problem" }, paragraphs: [message], status });
}
