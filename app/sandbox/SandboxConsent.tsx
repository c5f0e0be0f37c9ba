import { notFound } from "next/navigation";
import type { Platform } from "@/db/schema";
import { type ConsentView, consentPageModel, toSearchParams } from "@/server/oauth/sandbox/authorize";
import { SANDBOX_USERNAME_PATTERN } from "@/server/oauth/sandbox/identity";
import { getServices } from "@/server/services";
import styles from "./sandbox.module.css";

type SearchParams = Record<string, string | string[] | undefined>;

/** The sandbox's stand-in for a platform's consent page (or its error page when the request is invalid). */
export async function SandboxConsent({ platform, searchParams }: { platform: Platform; searchParams: SearchParams }) {
  const { config } = await getServices();
  // LAYERS_SANDBOX=off: the consent pages are as absent as the sandbox's route handlers.
  if (!config.sandbox) notFound();
  const model = consentPageModel(config, platform, toSearchParams(searchParams));
  const platformName = model.ok ? model.view.platformName : model.platformName;
  return (
    <div className={styles.page}>
      <p className={styles.banner} role="note">
        <strong>Sandbox</strong> — a test stand-in for {platformName}, run by Layers Connect. This is not {platformName}: no real account is
        used and nothing you enter leaves this server.
      </p>
      <main className={styles.main}>
        {model.ok ? (
          <>
            <ConsentForm view={model.view} />
            <RevokeAccess view={model.view} />
          </>
        ) : (
          <InvalidRequest platformName={platformName} problems={model.problems} />
        )}
      </main>
    </div>
  );
}

function Eyebrow({ platformName }: { platformName: string }) {
  return (
    <p className={styles.eyebrow}>
      <span className={styles.badge}>Sandbox</span>
      <span>{platformName} authorization</span>
    </p>
  );
}

function ConsentForm({ view }: { view: ConsentView }) {
  return (
    <section className={styles.card} aria-labelledby="consent-title">
      <Eyebrow platformName={view.platformName} />
      <h1 id="consent-title" className={styles.title}>
        <code className={styles.client}>{view.clientId}</code> wants to access your sandbox {view.platformName} account
      </h1>
      <p className={styles.text}>
        Whatever you choose, you will be sent back to <strong>{view.returnHost}</strong>.
      </p>
      <form method="post" action={view.action} className={styles.form}>
        {view.hidden.map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <div className={styles.field}>
          <label htmlFor="sandbox-username" className={styles.label}>
            Username
          </label>
          <UsernameInput id="sandbox-username" defaultValue={view.defaultUsername} />
          <p id="sandbox-username-hint" className={styles.hint}>
            Letters, digits, dots and underscores. The same name always connects the same sandbox account; a new name makes another one.
          </p>
        </div>
        <fieldset className={styles.scopes}>
          <legend className={styles.label}>Permissions</legend>
          <p className={styles.hint}>Untick anything you do not want to grant.</p>
          <ul className={styles.scopeList}>
            {view.scopes.map((scope) => (
              <li key={scope.name}>
                <label className={styles.scope}>
                  <input
                    type="checkbox"
                    name="granted_scope"
                    value={scope.name}
                    defaultChecked
                    className={styles.checkbox}
                    aria-describedby={`scope-${scope.name}`}
                  />
                  <span className={styles.scopeText}>
                    <code className={styles.scopeName}>{scope.name}</code>
                    <span id={`scope-${scope.name}`} className={styles.scopeLabel}>
                      {scope.label}
                    </span>
                  </span>
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        <fieldset className={styles.scopes}>
          <legend className={styles.label}>Token lifetimes</legend>
          <p className={styles.hint}>Short lifetimes let you watch Layers refresh the account, and then lose it, in minutes.</p>
          <ul className={styles.scopeList}>
            {view.lifetimes.presets.map((preset, i) => (
              <li key={preset.id}>
                <label className={styles.scope}>
                  <input type="radio" name={view.lifetimes.field} value={preset.id} defaultChecked={i === 0} className={styles.checkbox} />
                  <span className={styles.scopeLabel}>{preset.label}</span>
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        <div className={styles.actions}>
          <button type="submit" name="decision" value="authorize" className={styles.primary}>
            Authorize
          </button>
          <button type="submit" name="decision" value="cancel" formNoValidate className={styles.secondary}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

/**
 * A separate form, outside the consent one: it stands in for the user
 * removing the app in the platform's settings, so the end of an account's
 * life can be tried with a test key too.
 */
function RevokeAccess({ view }: { view: ConsentView }) {
  return (
    <section className={styles.tool} aria-labelledby="revoke-title">
      <h2 id="revoke-title" className={styles.toolTitle}>
        Revoke a sandbox user&apos;s access
      </h2>
      <p className={styles.hint}>
        Ends every grant that sandbox user gave <code>{view.clientId}</code>, as if they removed the app in {view.platformName}&apos;s
        settings. Layers finds out at its next refresh.
      </p>
      <form method="post" action={view.revokeAction} className={styles.field}>
        {/* Not labelled "Username": that name belongs to the consent form's field, which tests and people look for. */}
        <label htmlFor="sandbox-revoke-username" className={styles.label}>
          Account to revoke
        </label>
        <div className={styles.toolRow}>
          <UsernameInput id="sandbox-revoke-username" hintId="sandbox-revoke-hint" />
          <button type="submit" className={styles.danger}>
            Revoke access
          </button>
        </div>
        <p id="sandbox-revoke-hint" className={styles.hint}>
          The username it was connected with.
        </p>
      </form>
    </section>
  );
}

/** A sandbox username field (the consent form's and the revoke form's), checked as the server checks it. */
function UsernameInput({ id, hintId = `${id}-hint`, defaultValue }: { id: string; hintId?: string; defaultValue?: string }) {
  return (
    <input
      id={id}
      name="username"
      type="text"
      className={styles.input}
      defaultValue={defaultValue}
      required
      minLength={2}
      maxLength={30}
      pattern={SANDBOX_USERNAME_PATTERN}
      autoComplete="off"
      autoCapitalize="none"
      spellCheck={false}
      aria-describedby={hintId}
    />
  );
}

/** `backticked` parts of a problem become <code>. */
function Problem({ text }: { text: string }) {
  return text.split("`").map((part, i) => (i % 2 ? <code key={i}>{part}</code> : part));
}

function InvalidRequest({ platformName, problems }: { platformName: string; problems: string[] }) {
  return (
    <section className={styles.card} aria-labelledby="error-title">
      <Eyebrow platformName={platformName} />
      <h1 id="error-title" className={styles.title}>
        This authorization request is invalid
      </h1>
      <p className={styles.text}>
        Like {platformName}, the sandbox does not send you back to the app when the request itself is wrong. The app that sent you
        here built its authorize URL incorrectly:
      </p>
      <ul className={styles.problems}>
        {problems.map((problem) => (
          <li key={problem}>
            <Problem text={problem} />
          </li>
        ))}
      </ul>
      <p className={styles.text}>You can close this tab.</p>
    </section>
  );
}
