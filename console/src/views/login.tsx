import { useState } from "preact/hooks";
import { type Api, connect, errorText } from "../api/client.ts";
import { type Session, saveSession } from "../api/session.ts";

/** The region of the Berth that served this page (console/serve.ts), the form's default. */
const servedRegion = () => document.querySelector<HTMLMetaElement>('meta[name="berth-region"]')?.content || "us-east-1";

/**
 * Sign in with an access key, once per tab. The key is checked by calling Berth
 * (GetCallerIdentity) before it is kept, so a typo shows ECS's own words at once.
 */
export function Login({ onSignedIn }: { onSignedIn: (api: Api) => void }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const session: Session = {
      endpoint: String(form.get("endpoint") || location.origin),
      region: String(form.get("region") || servedRegion()),
      accessKeyId: String(form.get("accessKeyId")).trim(),
      secretAccessKey: String(form.get("secretAccessKey")).trim(),
    };
    setBusy(true);
    setError(undefined);
    try {
      const api = await connect(session);
      saveSession(session);
      onSignedIn(api);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <h1>Berth console</h1>
      <p>
        Sign in with a Berth access key (<code>npm start</code> prints one; <code>berth keys create --read-only</code>{" "}
        makes a read-only one). It is kept in this tab only and sent to no one but Berth.
      </p>
      <form onSubmit={submit}>
        <label>
          Access key ID
          <input name="accessKeyId" required autoComplete="username" spellcheck={false} />
        </label>
        <label>
          Secret access key
          <input name="secretAccessKey" type="password" required autoComplete="current-password" />
        </label>
        <details>
          <summary>Endpoint and region</summary>
          <label>
            Endpoint
            <input name="endpoint" type="url" value={location.origin} />
          </label>
          <label>
            Region
            <input name="region" value={servedRegion()} />
          </label>
        </details>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
