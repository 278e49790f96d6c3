import { useState, type FormEvent } from "react";

import { ApiError, session } from "../api/client";
import type { dictionary } from "../i18n";

export function Login({ t }: { t: ReturnType<typeof dictionary> }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.login(email, password);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t.signInFailed);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{t.appName}</h1>
        <label>
          {t.email}
          <input type="email" autoComplete="username" required value={email}
                 onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          {t.password}
          <input type="password" autoComplete="current-password" required value={password}
                 onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error && <p role="alert" className="error">{t.signInFailed}: {error}</p>}
        <button type="submit" disabled={busy}>{t.signIn}</button>
      </form>
    </main>
  );
}
