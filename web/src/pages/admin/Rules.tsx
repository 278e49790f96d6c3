import { useEffect, useMemo, useState } from "react";

import { ApiError, session } from "../../api/client";
import { localWords, severityName } from "../../i18n";
import type { SectionProps } from "../Admin";
import { RuleForm, TYPE_PARAMETERS, type Rule } from "./RuleForm";
import { RULE_WORDS } from "./rules.words";

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

const NEW_RULE: Rule = { name: "", type: "threshold_high", severity: "warning", status: "enabled" };

// The tenant's alarm rules: the list with their buildings (two calls side by
// side), and for those with alarms:manage a form to make or change one,
// enabling and disabling in place, and deleting (with the rule's alarms).
export function Rules({ t, permissions }: SectionProps) {
  const w = localWords(t, RULE_WORDS);
  const canManage = permissions.includes("alarms:manage");
  const [rules, setRules] = useState<Rule[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [buildings, setBuildings] = useState<{ id: number; name: string }[]>([]);
  const [editing, setEditing] = useState<Rule | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    Promise.all([
      session.call<Page<Rule>>("/api/v1/rules?limit=1000"),
      session.call<Page<{ id: number; name: string }>>("/api/v1/buildings?limit=1000"),
    ])
      .then(([r, b]) => {
        setRules(r.items);
        setCursor(r.next_cursor);
        setBuildings(b.items);
      })
      .catch((e) => setError(e instanceof Error ? e.message : String(e)));
  }, []);

  const buildingName = useMemo(() => new Map(buildings.map((b) => [b.id, b.name])), [buildings]);

  async function more() {
    const page = await session.call<Page<Rule>>(`/api/v1/rules?limit=1000&cursor=${encodeURIComponent(cursor!)}`);
    setRules((old) => [...(old ?? []), ...page.items]);
    setCursor(page.next_cursor);
  }

  const replace = (rule: Rule) => setRules((old) => (old ?? []).map((r) => (r.id === rule.id ? rule : r)));

  async function toggle(rule: Rule) {
    setError(null);
    try {
      replace(
        await session.call<Rule>(`/api/v1/rules/${rule.id}`, {
          method: "PATCH",
          body: JSON.stringify({ status: rule.status === "enabled" ? "disabled" : "enabled" }),
          headers: { "If-Match": `"${rule.version}"` },
        }),
      );
    } catch (e) {
      setError(e instanceof ApiError && e.problem.status === 412 ? w.conflict : String((e as Error).message));
    }
  }

  async function remove(rule: Rule) {
    if (!confirm(w.confirmRemove)) return;
    setError(null);
    try {
      await session.call(`/api/v1/rules/${rule.id}`, { method: "DELETE" });
      setRules((old) => (old ?? []).filter((r) => r.id !== rule.id));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  function saved(rule: Rule) {
    if (editing?.id) replace(rule);
    else setRules((old) => [...(old ?? []), rule]);
    setEditing(null);
    setNotice(w.saved);
  }

  // What a rule watches and when it fires, in one line.
  const summary = (r: Rule) =>
    (TYPE_PARAMETERS[r.type] ?? [])
      .filter((p) => r[p] !== undefined && r[p] !== null && r[p] !== "")
      .map((p) => (p === "expression" ? String(r[p]) : `${w.parameterNames[p] ?? p} ${r[p]}`))
      .join(", ");

  // Where it watches: its building, point and quantity, as far as it names them.
  const scope = (r: Rule) =>
    [r.building_id ? buildingName.get(r.building_id) ?? `#${r.building_id}` : null,
     r.point_id ? `p${r.point_id}` : null, r.quantity || null]
      .filter(Boolean)
      .join(" · ");

  if (error && !rules) return <p role="alert" className="error">{error}</p>;
  if (!rules) return <p>{t.loading}</p>;
  return (
    <div className="rules">
      {notice && <p role="status">{notice}</p>}
      {error && <p role="alert" className="error">{error}</p>}
      {canManage && !editing && (
        <p>
          <button type="button" onClick={() => { setNotice(null); setEditing(NEW_RULE); }}>{w.newRule}</button>
        </p>
      )}
      {editing && (
        <RuleForm key={editing.id ?? "new"} t={t} rule={editing} buildings={buildings}
                  onSaved={saved} onCancel={() => setEditing(null)} />
      )}
      {rules.length === 0 ? (
        <p>{w.noRules}</p>
      ) : (
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th>{w.name}</th><th>{w.type}</th><th>{w.severity}</th><th>{w.scope}</th>
                <th>{w.parameters}</th><th>{w.status}</th>
                {canManage && <th><span className="visually-hidden">{t.actions}</span></th>}
              </tr>
            </thead>
            <tbody>
              {rules.map((r) => (
                <tr key={r.id} data-rule={r.id}>
                  <td>{r.name}</td>
                  <td>{w.types[r.type] ?? r.type}</td>
                  <td><span className={`severity ${r.severity}`}>{severityName(t, r.severity)}</span></td>
                  <td>{scope(r)}</td>
                  <td className="summary">{summary(r)}</td>
                  <td className="status">{r.status === "enabled" ? w.enabled : w.disabled}</td>
                  {canManage && (
                    <td className="actions">
                      <button type="button" aria-label={`${w.edit}: ${r.name}`}
                              onClick={() => { setNotice(null); setEditing(r); }}>{w.edit}</button>
                      <button type="button" aria-label={`${r.status === "enabled" ? w.disable : w.enable}: ${r.name}`}
                              onClick={() => toggle(r)}>{r.status === "enabled" ? w.disable : w.enable}</button>
                      <button type="button" aria-label={`${w.remove}: ${r.name}`}
                              onClick={() => remove(r)}>{w.remove}</button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && <button type="button" onClick={more}>{w.more}</button>}
    </div>
  );
}
