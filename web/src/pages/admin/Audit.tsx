// The audit log: who changed what in the tenant, and every sign-in, newest
// first, a page at a time (the server's cursor leads to older entries). The
// filters are the ones the API has: action, resource, the acting user and a
// time range. Each entry's summary is the change as JSON; it is shown as
// the fields that changed ("role: operator → viewer"), with the JSON itself
// one click away, because an auditor reads the change, not the record.
import { useEffect, useState, type FormEvent } from "react";

import { session } from "../../api/client";
import { localWords } from "../../i18n";
import type { SectionProps } from "../Admin";
import { ProblemNote } from "./ProblemNote";
import { formatTime } from "./time";
import type { User } from "./Users";

interface Entry {
  id: number;
  at: string;
  user_id: number | null;
  api_key_id: number | null;
  actor: string;
  remote: string;
  action: string;
  resource: string;
  resource_id: number | null;
  summary: unknown;
}

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

interface Filters {
  action: string;
  resource: string;
  user_id: string;
  since: string; // datetime-local, the browser's zone
  until: string;
}

const PAGE = 50;
const ACTIONS = ["create", "update", "delete", "login", "login_failed", "logout", "refresh_reuse"];
const RESOURCES = ["auth", "users", "api-keys", "tenants", "sites", "buildings", "floors", "spaces",
                   "equipment", "points", "devices", "rules", "alarms"];
// Bookkeeping every record carries; it changes with every update and says nothing.
const BOOKKEEPING = new Set(["version", "updated_at", "created_at", "tenant_id", "id"]);

const WORDS = {
  de: {
    title: "Protokoll",
    filters: "Filter",
    action: "Aktion",
    resource: "Ressource",
    actor: "Benutzer",
    any: "alle",
    since: "Ab",
    until: "Bis vor",
    apply: "Anwenden",
    reset: "Zurücksetzen",
    at: "Zeit",
    change: "Änderung",
    from: "von",
    older: "Ältere Einträge",
    none: "Keine Einträge.",
    json: "JSON",
    allBuildings: "alle",
    byKey: (id: number) => `API-Schlüssel #${id}`,
    actions: {
      create: "Anlegen", update: "Ändern", delete: "Löschen", login: "Anmeldung",
      login_failed: "Fehlgeschlagene Anmeldung", logout: "Abmeldung",
      refresh_reuse: "Wiederverwendetes Refresh-Token",
    } as Record<string, string>,
  },
  en: {
    title: "Audit log",
    filters: "Filters",
    action: "Action",
    resource: "Resource",
    actor: "User",
    any: "any",
    since: "From",
    until: "Before",
    apply: "Apply",
    reset: "Reset",
    at: "Time",
    change: "Change",
    from: "from",
    older: "Older entries",
    none: "No entries.",
    json: "JSON",
    allBuildings: "all",
    byKey: (id: number) => `API key #${id}`,
    actions: {
      create: "Create", update: "Update", delete: "Delete", login: "Sign-in",
      login_failed: "Failed sign-in", logout: "Sign-out", refresh_reuse: "Reused refresh token",
    } as Record<string, string>,
  },
};
type AuditWords = (typeof WORDS)["en"];

const NO_FILTERS: Filters = { action: "", resource: "", user_id: "", since: "", until: "" };

function query(f: Filters, cursor: string | null): string {
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (f.action) q.set("action", f.action);
  if (f.resource) q.set("resource", f.resource);
  if (f.user_id) q.set("user_id", f.user_id);
  if (f.since) q.set("since", new Date(f.since).toISOString());
  if (f.until) q.set("until", new Date(f.until).toISOString());
  if (cursor) q.set("cursor", cursor);
  return `/api/v1/audit?${q}`;
}

export default function Audit({ t, permissions }: SectionProps) {
  const w = localWords(t, WORDS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [users, setUsers] = useState<User[]>([]);

  // The users name the choices of the actor filter; without users:manage it takes an id.
  const canListUsers = permissions.includes("users:manage");
  useEffect(() => {
    if (canListUsers)
      session.call<Page<User>>("/api/v1/users?limit=1000").then((p) => setUsers(p.items), () => setUsers([]));
  }, [canListUsers]);

  useEffect(() => {
    let current = true;
    setEntries(null);
    setError(null);
    session.call<Page<Entry>>(query(filters, null)).then(
      (p) => {
        if (!current) return;
        setEntries(p.items);
        setNext(p.next_cursor);
      },
      (e) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [filters]);

  async function older() {
    if (!next) return;
    try {
      const p = await session.call<Page<Entry>>(query(filters, next));
      setEntries((old) => [...(old ?? []), ...p.items]);
      setNext(p.next_cursor);
    } catch (e) {
      setError(e);
    }
  }

  function apply(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const text = (k: keyof Filters) => String(data.get(k) ?? "").trim();
    setFilters({ action: text("action"), resource: text("resource"), user_id: text("user_id"),
                 since: text("since"), until: text("until") });
  }

  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">{w.title}</h2>
      <form aria-label={w.filters} onSubmit={apply} onReset={() => setFilters(NO_FILTERS)}
            aria-describedby={error ? "audit-problem" : undefined}>
        <label>
          {w.action}
          <select name="action" defaultValue="">
            <option value="">{w.any}</option>
            {ACTIONS.map((a) => <option key={a} value={a}>{w.actions[a]}</option>)}
          </select>
        </label>
        <label>
          {w.resource}
          <input name="resource" list="audit-resources" maxLength={60} autoComplete="off" />
          <datalist id="audit-resources">
            {RESOURCES.map((r) => <option key={r} value={r} />)}
          </datalist>
        </label>
        <label>
          {w.actor}
          {canListUsers ? (
            <select name="user_id" defaultValue="">
              <option value="">{w.any}</option>
              {users.map((u) => <option key={u.id} value={u.id}>{u.email}</option>)}
            </select>
          ) : (
            <input name="user_id" type="number" min={1} inputMode="numeric" />
          )}
        </label>
        <label>
          {w.since}
          <input name="since" type="datetime-local" />
        </label>
        <label>
          {w.until}
          <input name="until" type="datetime-local" />
        </label>
        <button type="submit">{w.apply}</button>
        <button type="reset">{w.reset}</button>
      </form>
      <ProblemNote id="audit-problem" error={error} />
      {!entries ? (
        !error && <p>{t.loading}</p>
      ) : entries.length === 0 ? (
        <p>{w.none}</p>
      ) : (
        <div className="scroll">
          <table className="audit">
            <thead>
              <tr><th>{w.at}</th><th>{w.actor}</th><th>{w.action}</th><th>{w.resource}</th><th>{w.change}</th></tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-entry={e.id}>
                  <td>{formatTime(t, e.at, true)}</td>
                  <td>
                    {e.actor || (e.api_key_id ? w.byKey(e.api_key_id) : "–")}
                    <br /><small className="muted">{w.from} {e.remote}</small>
                  </td>
                  <td>{w.actions[e.action] ?? e.action}</td>
                  <td>{e.resource}{e.resource_id !== null && <> #{e.resource_id}</>}</td>
                  <td><Summary w={w} summary={e.summary} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {entries && next && <button type="button" onClick={older}>{w.older}</button>}
    </section>
  );
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function show(w: AuditWords, key: string, v: unknown): string {
  if (v === null || v === undefined) return key === "buildings" ? w.allBuildings : "–";
  if (Array.isArray(v)) return v.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join(", ");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

// The lines of a summary: the fields that differ between "before" and
// "after"; a created or removed record's own fields; anything else the
// server noted beside them (password_changed).
function lines(w: AuditWords, s: Json): { key: string; text: string }[] {
  const out: { key: string; text: string }[] = [];
  const { before, after, ...rest } = s;
  if (isObject(before) && isObject(after)) {
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
      // A user's permissions follow from its role; the role's change says it.
      if (BOOKKEEPING.has(k) || (k === "permissions" && "role" in after)) continue;
      const [a, b] = [show(w, k, before[k]), show(w, k, after[k])];
      if (a !== b) out.push({ key: k, text: `${a} → ${b}` });
    }
  } else {
    const record = isObject(after) ? after : isObject(before) ? before : null;
    if (record)
      for (const [k, v] of Object.entries(record))
        if (!BOOKKEEPING.has(k) && !(k === "permissions" && "role" in record) && v !== "" &&
            !(Array.isArray(v) && v.length === 0))
          out.push({ key: k, text: show(w, k, v) });
  }
  for (const [k, v] of Object.entries(rest)) out.push({ key: k, text: show(w, k, v) });
  return out;
}

function Summary({ w, summary }: { w: AuditWords; summary: unknown }) {
  if (!isObject(summary)) return summary ? <span>{String(summary)}</span> : null;
  if (Object.keys(summary).length === 0) return null;
  const list = lines(w, summary);
  return (
    <div className="summary">
      <ul>
        {list.map((l) => <li key={l.key}><code>{l.key}</code>: {l.text}</li>)}
      </ul>
      <details>
        <summary>{w.json}</summary>
        <pre>{JSON.stringify(summary, null, 2)}</pre>
      </details>
    </div>
  );
}
