// Users and roles: the tenant's users with their role, building grants and
// state; an administrator (users:manage) creates users, changes a user's
// role, buildings or disabled flag, and sets a new password. The server
// decides what the caller may grant (never a role mightier than its own) and
// answers with problem+json, which is shown beside the form that caused it:
// the UI offers the choices, the server is the judge.
import { useEffect, useState, type FormEvent } from "react";

import { session } from "../../api/client";
import { localWords, type Words } from "../../i18n";
import type { SectionProps } from "../Admin";
import { BuildingGrants, grantText, type Building } from "./BuildingGrants";
import { ProblemNote } from "./ProblemNote";
import { formatTime } from "./time";

export interface User {
  id: number;
  email: string;
  display_name: string;
  role: string;
  buildings: number[] | null;
  disabled: boolean;
  version: number;
  created_at: string;
}

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

// Roles a tenant's administrator can hand out; a superadmin belongs to no
// tenant and is made with `citypulse user add`, not here.
const ROLES = ["tenant_admin", "energy_manager", "operator", "technician", "viewer"] as const;

const WORDS = {
  de: {
    title: "Benutzer",
    create: "Benutzer anlegen",
    displayName: "Anzeigename",
    role: "Rolle",
    initialPassword: "Anfangspasswort",
    newPassword: "Neues Passwort",
    passwordHint: "mindestens 10 Zeichen",
    buildings: "Gebäude",
    allBuildings: "alle",
    state: "Zustand",
    active: "aktiv",
    disabled: "gesperrt",
    disable: "Gesperrt (kann sich nicht anmelden)",
    created: "Angelegt",
    edit: "Ändern",
    editUser: (email: string) => `${email} ändern`,
    change: (email: string) => `${email} ändern`,
    save: "Speichern",
    setPassword: "Passwort setzen",
    resetPassword: "Passwort zurücksetzen",
    close: "Schließen",
    createdNote: (email: string) => `${email} wurde angelegt.`,
    savedNote: (email: string) => `${email} wurde gespeichert; laufende Sitzungen enden, wenn Rolle, Gebäude oder Sperre sich geändert haben.`,
    passwordNote: (email: string) => `Das Passwort von ${email} wurde gesetzt; alle Sitzungen sind beendet.`,
    nothingChanged: "Nichts geändert.",
    more: "Weitere Benutzer laden",
    roles: {
      superadmin: "Superadmin",
      tenant_admin: "Mandanten-Admin",
      energy_manager: "Energiemanager",
      operator: "Leitwarte",
      technician: "Techniker",
      viewer: "Betrachter",
    } as Record<string, string>,
  },
  en: {
    title: "Users",
    create: "Create user",
    displayName: "Display name",
    role: "Role",
    initialPassword: "Initial password",
    newPassword: "New password",
    passwordHint: "at least 10 characters",
    buildings: "Buildings",
    allBuildings: "all",
    state: "State",
    active: "active",
    disabled: "disabled",
    disable: "Disabled (cannot sign in)",
    created: "Created",
    edit: "Edit",
    editUser: (email: string) => `Edit ${email}`,
    change: (email: string) => `Change ${email}`,
    save: "Save",
    setPassword: "Set password",
    resetPassword: "Reset password",
    close: "Close",
    createdNote: (email: string) => `${email} was created.`,
    savedNote: (email: string) => `${email} was saved; their sessions end if the role, buildings or disabled flag changed.`,
    passwordNote: (email: string) => `The password of ${email} was set; all their sessions have ended.`,
    nothingChanged: "Nothing changed.",
    more: "Load more users",
    roles: {
      superadmin: "Superadmin",
      tenant_admin: "Tenant admin",
      energy_manager: "Energy manager",
      operator: "Operator",
      technician: "Technician",
      viewer: "Viewer",
    } as Record<string, string>,
  },
};
type UserWords = (typeof WORDS)["en"];

export default function Users({ t, permissions }: SectionProps) {
  const w = localWords(t, WORDS);
  const [users, setUsers] = useState<User[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [buildings, setBuildings] = useState<Building[]>([]);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [editing, setEditing] = useState<number | null>(null);
  const [note, setNote] = useState("");

  // Users and buildings at once; building names need assets:read, which a
  // holder of users:manage normally has, but the grants still show as ids without it.
  useEffect(() => {
    Promise.all([
      session.call<Page<User>>("/api/v1/users?limit=1000"),
      permissions.includes("assets:read")
        ? session.call<Page<Building>>("/api/v1/buildings?limit=1000")
        : Promise.resolve({ items: [], next_cursor: null }),
    ]).then(([u, b]) => {
      setUsers(u.items);
      setNext(u.next_cursor);
      setBuildings(b.items);
    }, setLoadError);
  }, [permissions]);

  async function loadMore() {
    if (!next) return;
    try {
      const page = await session.call<Page<User>>(`/api/v1/users?limit=1000&cursor=${encodeURIComponent(next)}`);
      setUsers((old) => [...(old ?? []), ...page.items]);
      setNext(page.next_cursor);
    } catch (e) {
      setLoadError(e);
    }
  }

  const replace = (u: User) => setUsers((old) => (old ?? []).map((o) => (o.id === u.id ? u : o)));

  if (loadError) return <ProblemNote id="users-load-problem" error={loadError} />;
  if (!users) return <p>{t.loading}</p>;
  const current = users.find((u) => u.id === editing);
  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">{w.title}</h2>
      <p role="status" className="note">{note}</p>
      <CreateUser t={t} w={w} buildings={buildings}
                  onCreated={(u) => { setUsers((old) => [...(old ?? []), u]); setNote(w.createdNote(u.email)); }} />
      {current && (
        <EditUser key={current.id} t={t} w={w} user={current} buildings={buildings}
                  onSaved={(u, text) => { replace(u); setNote(text); }}
                  onClose={() => setEditing(null)} />
      )}
      <div className="scroll">
        <table className="users">
          <thead>
            <tr>
              <th>{t.email}</th><th>{w.displayName}</th><th>{w.role}</th><th>{w.buildings}</th>
              <th>{w.state}</th><th>{w.created}</th><th><span className="visually-hidden">{w.edit}</span></th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} data-user={u.id}>
                <td>{u.email}</td>
                <td>{u.display_name}</td>
                <td>{w.roles[u.role] ?? u.role}</td>
                <td>{grantText(t, buildings, u.buildings, w.allBuildings)}</td>
                <td>{u.disabled ? <span className="error">{w.disabled}</span> : w.active}</td>
                <td>{formatTime(t, u.created_at)}</td>
                <td>
                  <button type="button" aria-label={w.editUser(u.email)} aria-expanded={editing === u.id}
                          onClick={() => { setNote(""); setEditing(editing === u.id ? null : u.id); }}>
                    {w.edit}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {next && <button type="button" onClick={loadMore}>{w.more}</button>}
    </section>
  );
}

function RoleSelect({ w, name, value, onChange }: {
  w: UserWords; name?: string; value?: string; onChange?: (role: string) => void;
}) {
  // A role outside the list (a superadmin seen by a superadmin) stays selectable as it is.
  const roles: string[] = value && !ROLES.includes(value as never) ? [value, ...ROLES] : [...ROLES];
  return (
    <label>
      {w.role}
      <select name={name} value={value} defaultValue={value === undefined ? "viewer" : undefined}
              onChange={onChange && ((e) => onChange(e.target.value))}>
        {roles.map((r) => <option key={r} value={r}>{w.roles[r] ?? r}</option>)}
      </select>
    </label>
  );
}

function CreateUser({ t, w, buildings, onCreated }: {
  t: Words; w: UserWords; buildings: Building[]; onCreated: (u: User) => void;
}) {
  const [grants, setGrants] = useState<number[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    setBusy(true);
    setError(null);
    try {
      const u = await session.call<User>("/api/v1/users", {
        method: "POST",
        body: JSON.stringify({
          email: String(data.get("email")).trim(),
          display_name: String(data.get("display_name")).trim(),
          role: data.get("role"),
          password: data.get("password"),
          buildings: grants,
        }),
      });
      form.reset();
      setGrants(null);
      onCreated(u);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <details className="panel">
      <summary>{w.create}</summary>
      <form aria-label={w.create} onSubmit={submit} aria-describedby={error ? "user-create-problem" : undefined}>
        <label>
          {t.email}
          <input name="email" type="email" required maxLength={254} autoComplete="off" />
        </label>
        <label>
          {w.displayName}
          <input name="display_name" maxLength={200} autoComplete="off" />
        </label>
        <RoleSelect w={w} name="role" />
        <label>
          {w.initialPassword} <small>({w.passwordHint})</small>
          <input name="password" type="password" required minLength={10} autoComplete="new-password" />
        </label>
        <BuildingGrants t={t} buildings={buildings} value={grants} onChange={setGrants} />
        <button type="submit" disabled={busy}>{w.create}</button>
      </form>
      <ProblemNote id="user-create-problem" error={error} />
    </details>
  );
}

// One user's role, buildings and disabled flag, and a new password: two
// forms, as a new password is a separate act with its own audit entry.
// Changes are sent with If-Match, so an edit made meanwhile by someone else
// is refused (412) instead of overwritten.
function EditUser({ t, w, user, buildings, onSaved, onClose }: {
  t: Words; w: UserWords; user: User; buildings: Building[];
  onSaved: (u: User, note: string) => void; onClose: () => void;
}) {
  const [displayName, setDisplayName] = useState(user.display_name);
  const [role, setRole] = useState(user.role);
  const [grants, setGrants] = useState(user.buildings);
  const [disabled, setDisabled] = useState(user.disabled);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function patch(body: Record<string, unknown>, note: string): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      const u = await session.call<User>(`/api/v1/users/${user.id}`, {
        method: "PATCH",
        headers: { "If-Match": `"${user.version}"` },
        body: JSON.stringify(body),
      });
      onSaved(u, note);
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  }

  function save(e: FormEvent) {
    e.preventDefault();
    // Only what changed: an unchanged role or grant must not end the user's sessions.
    const body: Record<string, unknown> = {};
    if (displayName.trim() !== user.display_name) body.display_name = displayName.trim();
    if (role !== user.role) body.role = role;
    if (JSON.stringify(grants) !== JSON.stringify(user.buildings)) body.buildings = grants;
    if (disabled !== user.disabled) body.disabled = disabled;
    if (Object.keys(body).length === 0) return onSaved(user, w.nothingChanged);
    patch(body, w.savedNote(user.email));
  }

  async function setPassword(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const password = new FormData(form).get("password");
    if (await patch({ password }, w.passwordNote(user.email))) form.reset();
  }

  return (
    <div className="panel editor" role="group" aria-label={w.change(user.email)}
         onKeyDown={(e) => e.key === "Escape" && onClose()}>
      <h3>{w.change(user.email)}</h3>
      <form aria-label={w.change(user.email)} onSubmit={save}
            aria-describedby={error ? "user-edit-problem" : undefined}>
        <label>
          {w.displayName}
          <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} maxLength={200} autoFocus />
        </label>
        <RoleSelect w={w} value={role} onChange={setRole} />
        <label className="inline">
          <input type="checkbox" checked={disabled} onChange={(e) => setDisabled(e.target.checked)} />
          {w.disable}
        </label>
        <BuildingGrants t={t} buildings={buildings} value={grants} onChange={setGrants} />
        <button type="submit" disabled={busy}>{w.save}</button>
        <button type="button" onClick={onClose}>{w.close}</button>
      </form>
      <form aria-label={w.resetPassword} onSubmit={setPassword}>
        <label>
          {w.newPassword} <small>({w.passwordHint})</small>
          <input name="password" type="password" required minLength={10} autoComplete="new-password" />
        </label>
        <button type="submit" disabled={busy}>{w.setPassword}</button>
      </form>
      <ProblemNote id="user-edit-problem" error={error} />
    </div>
  );
}
