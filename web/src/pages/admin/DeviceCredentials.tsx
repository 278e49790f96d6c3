import { useEffect, useRef, useState, type FormEvent } from "react";

import { ApiError } from "../../api/client";
import type { Words } from "../../i18n";
import {
  CREDENTIAL_KINDS,
  issueCredential,
  loadCredentials,
  revokeCredential,
  type Credential,
  type Device,
  type IssuedCredential,
} from "./deviceApi";
import { deviceWords, type DeviceWords } from "./deviceWords";

function message(e: unknown): string {
  return e instanceof ApiError ? e.message : String(e);
}

// What tells a credential apart without its secret.
function identity(c: Credential): string {
  if (c.kind === "basic") return c.username ?? "";
  if (c.kind === "certificate") return c.cn || (c.fingerprint ? `${c.fingerprint.slice(0, 16)}…` : "");
  return c.hint ? `${c.hint}…` : "";
}

// One device's credentials: the list (never a secret: the server keeps
// hashes), a new one issued, its secret shown once, revoking after a
// confirmation. Issuing and revoking only with assets:write.
export function DeviceCredentials({ t, device, canWrite, onClose }: {
  t: Words;
  device: Device;
  canWrite: boolean;
  onClose: () => void;
}) {
  const w = deviceWords(t);
  const [credentials, setCredentials] = useState<Credential[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [issued, setIssued] = useState<IssuedCredential | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [kind, setKind] = useState<string>("token");
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
    loadCredentials(device.id).then(setCredentials).catch((e) => setError(message(e)));
  }, [device.id]);

  async function issue(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const body: Record<string, unknown> = { kind };
    for (const field of ["name", "username", "password", "fingerprint", "cn"]) {
      const value = String(data.get(field) ?? "").trim();
      if (value) body[field] = value;
    }
    setBusy(true);
    setError(null);
    try {
      const made = await issueCredential(device.id, body);
      form.reset();
      setIssued(made);
      // The list keeps the public parts only, as the server lists them.
      const { token: _token, password: _password, ...shown } = made;
      setCredentials((old) => [...(old ?? []), shown]);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(id: number) {
    setError(null);
    try {
      await revokeCredential(device.id, id);
      setCredentials((old) => (old ?? []).map((c) => (c.id === id ? { ...c, revoked: true } : c)));
      setConfirming(null);
    } catch (e) {
      setError(message(e));
    }
  }

  return (
    <section className="credentials" aria-labelledby="credentials-title">
      <div className="credentials-head">
        <h3 id="credentials-title" tabIndex={-1} ref={heading}>{w.credentialsOf(device.name)}</h3>
        <button type="button" onClick={onClose}>{w.close}</button>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {issued && <ShownOnce w={w} issued={issued} onDone={() => setIssued(null)} />}
      {credentials === null ? (
        <p>{t.loading}</p>
      ) : credentials.length === 0 ? (
        <p>{w.noCredentials}</p>
      ) : (
        <ul className="credential-list">
          {credentials.map((c) => (
            <li key={c.id} data-credential={c.id}>
              <span>
                <strong>{c.name}</strong> · {w.kinds[c.kind] ?? c.kind}
                {identity(c) && <> · <code>{identity(c)}</code></>}
                {" · "}
                <time dateTime={c.created_at}>{new Date(c.created_at).toLocaleString(t.lang)}</time>
                {" · "}
                <span className={c.revoked ? "revoked" : "valid"}>{c.revoked ? w.revoked : w.valid}</span>
              </span>
              {canWrite && !c.revoked && confirming !== c.id && (
                <button type="button" aria-label={w.revokeOf(c.name)} onClick={() => setConfirming(c.id)}>
                  {w.revoke}
                </button>
              )}
              {canWrite && confirming === c.id && (
                <span role="group" aria-label={w.revokeOf(c.name)} className="confirm">
                  <span>{w.confirmRevoke(c.name)}</span>
                  <button type="button" className="danger" autoFocus onClick={() => revoke(c.id)}>
                    {w.yesRevoke}
                  </button>
                  <button type="button" onClick={() => setConfirming(null)}>{t.cancel}</button>
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {canWrite && (
        <form onSubmit={issue} aria-label={w.newCredential}>
          <label>
            {w.kind}
            <select name="kind" value={kind} onChange={(e) => setKind(e.target.value)}>
              {CREDENTIAL_KINDS.map((k) => <option key={k} value={k}>{w.kinds[k]}</option>)}
            </select>
          </label>
          <label>
            {w.credentialName}
            <input name="name" maxLength={100} />
          </label>
          {kind === "basic" && (
            <>
              <label>
                {w.username}
                <input name="username" required maxLength={200} autoComplete="off" />
              </label>
              <label>
                {w.passwordOptional}
                <input name="password" type="password" maxLength={1024} autoComplete="new-password" />
              </label>
            </>
          )}
          {kind === "certificate" && (
            <>
              <label>
                {w.fingerprint}
                <input name="fingerprint" maxLength={200} spellCheck={false} />
              </label>
              <label>
                {w.commonName}
                <input name="cn" maxLength={200} />
              </label>
            </>
          )}
          <button type="submit" disabled={busy}>{w.issue}</button>
        </form>
      )}
    </section>
  );
}

// The secret the server made, shown this once, with a copy button.
function ShownOnce({ w, issued, onDone }: { w: DeviceWords; issued: IssuedCredential; onDone: () => void }) {
  const secret = issued.token ?? issued.password;
  const [copy, setCopy] = useState<"copied" | "failed" | null>(null);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.focus(), []);
  if (!secret) return null;  // a certificate: nothing secret was made

  async function copySecret() {
    try {
      await navigator.clipboard.writeText(secret!);
      setCopy("copied");
    } catch {
      setCopy("failed");
    }
  }

  return (
    <div className="once" role="group" aria-labelledby="once-label" tabIndex={-1} ref={box}>
      <p id="once-label"><strong>{w.secret(issued.kind)}</strong> – {w.once}</p>
      <p><code data-secret>{secret}</code></p>
      {issued.kind === "token" && <p className="muted">{w.tokenUse}</p>}
      <div className="once-actions">
        <button type="button" onClick={copySecret}>{w.copy}</button>
        <button type="button" onClick={onDone}>{w.done}</button>
      </div>
      <p role="status">{copy === "copied" ? w.copied : copy === "failed" ? w.copyFailed : ""}</p>
    </div>
  );
}
