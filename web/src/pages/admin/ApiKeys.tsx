// API keys: the tenant's keys for machine clients (a BMS gateway, a
// reporting tool) with what they may do and when they were last used; an
// administrator (api_keys:manage) creates a key and revokes one. The server
// stores only a hash of the secret, so the key is shown exactly once, right
// after it is made, with a way to copy it; revoking is confirmed first, as
// the clients using the key are refused from that moment on.
import { useEffect, useRef, useState, type FormEvent } from "react";

import { session } from "../../api/client";
import { localWords, type Words } from "../../i18n";
import type { SectionProps } from "../Admin";
import { BuildingGrants, grantText, type Building } from "./BuildingGrants";
import { ProblemNote } from "./ProblemNote";
import { formatTime } from "./time";

interface ApiKey {
  id: number;
  name: string;
  prefix: string;
  permissions: string[];
  buildings: number[] | null;
  expires_at: string | null;
  last_used_at: string | null;
  created_at: string;
  revoked: boolean;
}

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

const WORDS = {
  de: {
    title: "API-Schlüssel",
    table: "API-Schlüssel (seitlich scrollbar)",
    create: "Schlüssel anlegen",
    name: "Name",
    permissions: "Berechtigungen",
    validUntil: "Gültig bis einschließlich (leer: unbegrenzt)",
    expires: "Läuft ab",
    never: "nie",
    created: "Angelegt",
    lastUsed: "Zuletzt benutzt",
    notUsed: "noch nie",
    state: "Zustand",
    active: "aktiv",
    expired: "abgelaufen",
    revoked: "widerrufen",
    buildings: "Gebäude",
    allBuildings: "alle",
    revoke: "Widerrufen",
    revokeKey: (name: string) => `Schlüssel ${name} widerrufen`,
    confirm: (name: string) => `${name} widerrufen? Clients mit diesem Schlüssel werden sofort abgewiesen.`,
    confirmRevoke: "Ja, widerrufen",
    cancel: "Abbrechen",
    newKey: (name: string) => `Der Schlüssel ${name}`,
    onlyOnce: "Jetzt kopieren: er wird nicht noch einmal angezeigt, gespeichert ist nur ein Hash.",
    usage: "Clients senden ihn im Kopf „Authorization: ApiKey <Schlüssel>“.",
    copy: "Kopieren",
    copied: "Kopiert.",
    copyFailed: "Kopieren ist hier nicht möglich (nur über HTTPS); der Schlüssel ist markiert, bitte selbst kopieren.",
    done: "Ich habe ihn gesichert",
    revokedNote: (name: string) => `${name} wurde widerrufen.`,
    more: "Weitere Schlüssel laden",
  },
  en: {
    title: "API keys",
    table: "API keys (scrolls sideways)",
    create: "Create key",
    name: "Name",
    permissions: "Permissions",
    validUntil: "Valid until, inclusive (empty: no end)",
    expires: "Expires",
    never: "never",
    created: "Created",
    lastUsed: "Last used",
    notUsed: "never",
    state: "State",
    active: "active",
    expired: "expired",
    revoked: "revoked",
    buildings: "Buildings",
    allBuildings: "all",
    revoke: "Revoke",
    revokeKey: (name: string) => `Revoke key ${name}`,
    confirm: (name: string) => `Revoke ${name}? Clients using this key are refused at once.`,
    confirmRevoke: "Yes, revoke",
    cancel: "Cancel",
    newKey: (name: string) => `The key ${name}`,
    onlyOnce: "Copy it now: it will not be shown again; only a hash of it is stored.",
    usage: "Clients send it in the header “Authorization: ApiKey <key>”.",
    copy: "Copy",
    copied: "Copied.",
    copyFailed: "Copying is not possible here (HTTPS only); the key is selected, please copy it yourself.",
    done: "I have saved it",
    revokedNote: (name: string) => `${name} was revoked.`,
    more: "Load more keys",
  },
};
type KeyWords = (typeof WORDS)["en"];

export default function ApiKeys({ t, permissions }: SectionProps) {
  const w = localWords(t, WORDS);
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [buildings, setBuildings] = useState<Building[]>([]);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [fresh, setFresh] = useState<{ name: string; key: string } | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [revokeError, setRevokeError] = useState<unknown>(null);
  const [note, setNote] = useState("");

  useEffect(() => {
    Promise.all([
      session.call<Page<ApiKey>>("/api/v1/api-keys?limit=1000"),
      permissions.includes("assets:read")
        ? session.call<Page<Building>>("/api/v1/buildings?limit=1000")
        : Promise.resolve({ items: [], next_cursor: null }),
    ]).then(([k, b]) => {
      setKeys(k.items);
      setNext(k.next_cursor);
      setBuildings(b.items);
    }, setLoadError);
  }, [permissions]);

  async function loadMore() {
    if (!next) return;
    try {
      const page = await session.call<Page<ApiKey>>(`/api/v1/api-keys?limit=1000&cursor=${encodeURIComponent(next)}`);
      setKeys((old) => [...(old ?? []), ...page.items]);
      setNext(page.next_cursor);
    } catch (e) {
      setLoadError(e);
    }
  }

  async function revoke(k: ApiKey) {
    setRevokeError(null);
    try {
      await session.call(`/api/v1/api-keys/${k.id}`, { method: "DELETE" });
      setKeys((old) => (old ?? []).map((o) => (o.id === k.id ? { ...o, revoked: true } : o)));
      setConfirming(null);
      setNote(w.revokedNote(k.name));
    } catch (e) {
      setRevokeError(e);
    }
  }

  if (loadError) return <ProblemNote id="keys-load-problem" error={loadError} />;
  if (!keys) return <p>{t.loading}</p>;
  const now = Date.now();
  // An API key never carries tenants:manage (it belongs to one tenant), and
  // never more than its creator holds: those are the choices offered.
  const grantable = permissions.filter((p) => p !== "tenants:manage");
  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">{w.title}</h2>
      <p role="status" className="note">{note}</p>
      {fresh ? (
        <ShownOnce w={w} name={fresh.name} secret={fresh.key} onDone={() => setFresh(null)} />
      ) : (
        <CreateKey t={t} w={w} buildings={buildings} grantable={grantable}
                   onCreated={(k, secret) => {
                     setKeys((old) => [...(old ?? []), k]);
                     setFresh({ name: k.name, key: secret });
                     setNote("");
                   }} />
      )}
      <ProblemNote id="keys-revoke-problem" error={revokeError} />
      {/* Focusable: with no key to revoke the table holds nothing Tab reaches,
          and at phone width it is still wider than the screen. Named apart
          from the section around it. */}
      <div className="scroll" role="region" aria-label={w.table} tabIndex={0}>
        <table className="keys">
          <thead>
            <tr>
              <th>{w.name}</th><th>{w.permissions}</th><th>{w.buildings}</th><th>{w.created}</th>
              <th>{w.lastUsed}</th><th>{w.expires}</th><th>{w.state}</th>
              <th><span className="visually-hidden">{w.revoke}</span></th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => {
              const expired = k.expires_at !== null && Date.parse(k.expires_at) <= now;
              return (
                <tr key={k.id} data-key={k.id}>
                  <td>{k.name}<br /><code className="muted">{k.prefix}.…</code></td>
                  <td className="permissions">{k.permissions.map((p) => <code key={p}>{p}</code>)}</td>
                  <td>{grantText(t, buildings, k.buildings, w.allBuildings)}</td>
                  <td>{formatTime(t, k.created_at)}</td>
                  <td>{k.last_used_at ? formatTime(t, k.last_used_at) : w.notUsed}</td>
                  <td>{k.expires_at ? formatTime(t, k.expires_at) : w.never}</td>
                  <td className={k.revoked || expired ? "error" : undefined}>
                    {k.revoked ? w.revoked : expired ? w.expired : w.active}
                  </td>
                  <td>
                    {!k.revoked && confirming !== k.id && (
                      <button type="button" aria-label={w.revokeKey(k.name)} onClick={() => setConfirming(k.id)}>
                        {w.revoke}
                      </button>
                    )}
                    {!k.revoked && confirming === k.id && (
                      <div className="confirm" role="group" aria-label={w.revokeKey(k.name)}
                           onKeyDown={(e) => e.key === "Escape" && setConfirming(null)}>
                        <span>{w.confirm(k.name)}</span>
                        <button type="button" className="danger" autoFocus onClick={() => revoke(k)}>
                          {w.confirmRevoke}
                        </button>
                        <button type="button" onClick={() => setConfirming(null)}>{w.cancel}</button>
                      </div>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {next && <button type="button" onClick={loadMore}>{w.more}</button>}
    </section>
  );
}

function CreateKey({ t, w, buildings, grantable, onCreated }: {
  t: Words; w: KeyWords; buildings: Building[]; grantable: string[];
  onCreated: (k: ApiKey, secret: string) => void;
}) {
  const [chosen, setChosen] = useState<string[]>([]);
  const [grants, setGrants] = useState<number[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const until = String(data.get("until") ?? "");
    // "Valid until" a day, inclusive: the key ends at the following local midnight.
    let expires: string | null = null;
    if (until) {
      const end = new Date(`${until}T00:00`);
      end.setDate(end.getDate() + 1);
      expires = end.toISOString();
    }
    setBusy(true);
    setError(null);
    try {
      const k = await session.call<ApiKey & { key: string }>("/api/v1/api-keys", {
        method: "POST",
        body: JSON.stringify({
          name: String(data.get("name")).trim(),
          permissions: chosen,
          buildings: grants,
          expires_at: expires,
        }),
      });
      const { key, ...record } = k;
      onCreated(record, key);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const toggle = (p: string, on: boolean) =>
    setChosen((old) => (on ? [...old, p] : old.filter((o) => o !== p)));
  return (
    <details className="panel">
      <summary>{w.create}</summary>
      <form aria-label={w.create} onSubmit={submit} aria-describedby={error ? "key-create-problem" : undefined}>
        <label>
          {w.name}
          <input name="name" required maxLength={100} autoComplete="off" />
        </label>
        <label>
          {w.validUntil}
          <input name="until" type="date" />
        </label>
        <fieldset className="grants">
          <legend>{w.permissions}</legend>
          {grantable.map((p) => (
            <label key={p}>
              <input type="checkbox" checked={chosen.includes(p)} onChange={(e) => toggle(p, e.target.checked)} />
              <code>{p}</code>
            </label>
          ))}
        </fieldset>
        <BuildingGrants t={t} buildings={buildings} value={grants} onChange={setGrants} />
        <button type="submit" disabled={busy}>{w.create}</button>
      </form>
      <ProblemNote id="key-create-problem" error={error} />
    </details>
  );
}

// The new key, this once. Where the clipboard API is missing (plain HTTP on
// another host than localhost), the key is selected for copying by hand.
function ShownOnce({ w, name, secret, onDone }: {
  w: KeyWords; name: string; secret: string; onDone: () => void;
}) {
  const [copied, setCopied] = useState<string>("");
  const code = useRef<HTMLElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(w.copied);
    } catch {
      if (code.current) getSelection()?.selectAllChildren(code.current);
      setCopied(w.copyFailed);
    }
  }

  return (
    <div className="once" role="region" aria-labelledby="key-once-title">
      <h3 id="key-once-title" tabIndex={-1} ref={heading}>{w.newKey(name)}</h3>
      <p><strong>{w.onlyOnce}</strong></p>
      <p><code ref={code} data-secret>{secret}</code></p>
      <p className="muted">{w.usage}</p>
      <button type="button" onClick={copy}>{w.copy}</button>{" "}
      <button type="button" onClick={onDone}>{w.done}</button>
      <p role="status">{copied}</p>
    </div>
  );
}
