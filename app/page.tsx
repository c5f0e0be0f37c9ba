export default function Home() {
  return (
    <main className="page">
      <div className="card">
        <h1>Layers Connect</h1>
        <p>
          Connect your end-customers&apos; TikTok and Instagram accounts to your product. Create an authorize URL with your API
          key, send the end-customer to it, and poll the attempt&apos;s status.
        </p>
        <pre>{`POST /v1/projects/:projectId/social/oauth-url
GET  /v1/social/oauth-status/:state`}</pre>
        <p>
          Admins: the console is at <a href="/console">/console</a>.
        </p>
      </div>
    </main>
  );
}
