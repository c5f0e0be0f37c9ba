const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/**
 * The hosted error page, as a complete HTML document: the callback route
 * answers with it directly (HTTP 400) when no attempt can be identified.
 * Its look matches the React hosted pages (same colours and fonts).
 */
export function hostedErrorPage(title: string, message: string, status = 400): Response {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · Layers Connect</title>
<style>
  :root { color-scheme: light; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f7f7f8; color: #18181b;
         font-family: ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; line-height: 1.5; }
  main { max-width: 30rem; margin: 1.5rem; background: #fff; border: 1px solid #e4e4e7; border-radius: 12px; padding: 2rem; }
  h1 { font-size: 1.4rem; line-height: 1.25; margin: 0 0 .75rem; }
  p { color: #3f3f46; margin: 0; }
  .badge { display: inline-block; font-size: .8rem; font-weight: 600; color: #b91c1c; background: #fef2f2; border-radius: 999px; padding: .15rem .6rem; margin-bottom: 1rem; }
</style>
</head>
<body>
<main>
  <span class="badge">Connection problem</span>
  <h1>${escapeHtml(title)}</h1>
  <p>${escapeHtml(message)}</p>
</main>
</body>
</html>`;
  return new Response(html, {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Frame-Options": "DENY",
      "Content-Security-Policy": "frame-ancestors 'none'; default-src 'none'; style-src 'unsafe-inline'",
      "Referrer-Policy": "no-referrer",
    },
  });
}
