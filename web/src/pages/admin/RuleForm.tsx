import { useEffect, useRef, useState, type FormEvent } from "react";

import { ApiError, session, type Problem } from "../../api/client";
import { localWords, severityName, type Words } from "../../i18n";
import { RULE_WORDS } from "./rules.words";

// A rule as the API has it (the fields this form edits).
export interface Rule {
  id?: number;
  version?: number;
  name: string;
  type: string;
  severity: string;
  status: string;
  building_id?: number | null;
  point_id?: number | null;
  quantity?: string;
  schedule?: string;
  message?: string;
  action?: string;
  [parameter: string]: unknown;
}

// The parameters each type takes; the server refuses the others (rule_schema.cpp).
export const TYPE_PARAMETERS: Record<string, string[]> = {
  threshold_high: ["threshold", "deadband", "on_delay_s", "off_delay_s"],
  threshold_low: ["threshold", "deadband", "on_delay_s", "off_delay_s"],
  bounds: ["min_value", "max_value"],
  rate_of_change: ["max_change", "window_s", "direction"],
  flatline: ["duration_s", "tolerance"],
  stale: ["interval_factor", "duration_s"],
  expression: ["expression"],
  anomaly: ["sigmas", "weeks", "duration_s", "min_sigma"],
};
export const SEVERITIES = ["critical", "major", "minor", "warning", "info"];
const DIRECTIONS = ["rise", "fall", "either"];
const TEXT_FIELDS = ["expression", "direction"];

interface PointChoice {
  id: number;
  name: string;
  unit: string;
}

type Verdict = { state: "checking" } | { state: "valid" } | { state: "invalid"; problem: Problem };

// The body the API takes: the type's own parameters only, empty fields left
// out, numbers as numbers. An expression rule has no scope but a building.
function body(draft: Rule): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: draft.name,
    type: draft.type,
    severity: draft.severity,
    status: draft.status,
  };
  for (const key of ["schedule", "message", "action"]) if (draft[key]) out[key] = draft[key];
  if (draft.building_id) out.building_id = draft.building_id;
  if (draft.type !== "expression") {
    if (draft.point_id) out.point_id = draft.point_id;
    if (draft.quantity) out.quantity = draft.quantity;
  }
  for (const p of TYPE_PARAMETERS[draft.type] ?? []) {
    const v = draft[p];
    if (v === undefined || v === null || v === "") continue;
    out[p] = TEXT_FIELDS.includes(p) ? v : Number(v);
  }
  return out;
}

// The field a problem names (/expression/5 -> expression), and where in it.
function fieldOf(problem: Problem): { field: string; offset?: number } | null {
  const name = problem.invalid_params?.[0]?.name;
  if (!name) return null;
  const [, field, offset] = name.split("/");
  return { field, offset: offset === undefined ? undefined : Number(offset) };
}

// A rule's form, checked by the server as it is typed (POST
// /rules/validate, a moment after the last keystroke; stale answers are
// dropped), so a mistake in an expression shows at its position before the
// user saves. Saving replaces the rule with If-Match: a rule changed by
// someone else meanwhile is not overwritten.
export function RuleForm({
  t,
  rule,
  buildings,
  onSaved,
  onCancel,
}: {
  t: Words;
  rule: Rule;
  buildings: { id: number; name: string }[];
  onSaved: (rule: Rule) => void;
  onCancel: () => void;
}) {
  const w = localWords(t, RULE_WORDS);
  const [draft, setDraft] = useState<Rule>(rule);
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [points, setPoints] = useState<PointChoice[]>([]);
  const expressionRef = useRef<HTMLTextAreaElement>(null);
  const checks = useRef(0);

  useEffect(() => {
    if (!draft.building_id) return setPoints([]);
    let live = true;
    session
      .call<{ items: PointChoice[] }>(`/api/v1/points?building_id=${draft.building_id}&limit=1000`)
      .then((page) => live && setPoints(page.items))
      .catch(() => live && setPoints([]));
    return () => {
      live = false;
    };
  }, [draft.building_id]);

  useEffect(() => {
    const n = ++checks.current;
    setVerdict({ state: "checking" });
    const timer = setTimeout(async () => {
      try {
        await session.call("/api/v1/rules/validate", { method: "POST", body: JSON.stringify(body(draft)) });
        if (n === checks.current) setVerdict({ state: "valid" });
      } catch (e) {
        if (n !== checks.current) return;
        if (e instanceof ApiError) setVerdict({ state: "invalid", problem: e.problem });
        else setVerdict(null);
      }
    }, 300);
    return () => clearTimeout(timer);
  }, [draft]);

  const set = (key: string, value: unknown) => setDraft((d) => ({ ...d, [key]: value }));
  const problem = verdict?.state === "invalid" ? verdict.problem : null;
  const named = problem ? fieldOf(problem) : null;
  const errorFor = (field: string) => (named?.field === field ? problem!.detail : undefined);
  const describedBy = (field: string) => (errorFor(field) ? "rule-problem" : undefined);

  function insertPoint(id: string) {
    if (!id) return;
    const area = expressionRef.current;
    const text = String(draft.expression ?? "");
    const at = area?.selectionStart ?? text.length;
    set("expression", `${text.slice(0, at)}p${id}${text.slice(area?.selectionEnd ?? at)}`);
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    setSaveError(null);
    try {
      const saved = rule.id
        ? await session.call<Rule>(`/api/v1/rules/${rule.id}`, {
            method: "PUT",
            body: JSON.stringify(body(draft)),
            headers: { "If-Match": `"${rule.version}"` },
          })
        : await session.call<Rule>("/api/v1/rules", { method: "POST", body: JSON.stringify(body(draft)) });
      onSaved(saved);
    } catch (err) {
      if (err instanceof ApiError && err.problem.status === 412) setSaveError(w.conflict);
      else setSaveError(err instanceof Error ? err.message : String(err));
    }
  }

  const parameter = (p: string) => {
    const label = w.parameterNames[p] ?? p;
    const value = draft[p] === undefined || draft[p] === null ? "" : String(draft[p]);
    if (p === "expression")
      return (
        <label key={p} className="wide">
          {label}
          <textarea
            ref={expressionRef}
            name="expression"
            rows={3}
            value={value}
            spellCheck={false}
            aria-invalid={errorFor(p) ? true : undefined}
            aria-describedby={describedBy(p)}
            onChange={(e) => set(p, e.target.value)}
          />
          {named?.field === "expression" && named.offset !== undefined && (
            <code className="caret" aria-hidden="true">
              {value}
              {"\n"}
              {" ".repeat(named.offset)}^
            </code>
          )}
        </label>
      );
    if (p === "direction")
      return (
        <label key={p}>
          {label}
          <select value={value} onChange={(e) => set(p, e.target.value)}>
            <option value="" />
            {DIRECTIONS.map((d) => <option key={d} value={d}>{d}</option>)}
          </select>
        </label>
      );
    return (
      <label key={p}>
        {label}
        <input
          type="number"
          step="any"
          value={value}
          aria-invalid={errorFor(p) ? true : undefined}
          aria-describedby={describedBy(p)}
          onChange={(e) => set(p, e.target.value)}
        />
      </label>
    );
  };

  return (
    <form className="rule-form" onSubmit={save} aria-label={rule.id ? `${w.edit}: ${rule.name}` : w.newRule}>
      <label>
        {w.name}
        <input required maxLength={200} value={draft.name} onChange={(e) => set("name", e.target.value)}
               aria-invalid={errorFor("name") ? true : undefined} aria-describedby={describedBy("name")} />
      </label>
      <label>
        {w.type}
        <select value={draft.type} onChange={(e) => set("type", e.target.value)}>
          {Object.keys(TYPE_PARAMETERS).map((k) => <option key={k} value={k}>{w.types[k] ?? k}</option>)}
        </select>
      </label>
      <label>
        {w.severity}
        <select value={draft.severity} onChange={(e) => set("severity", e.target.value)}>
          {SEVERITIES.map((s) => <option key={s} value={s}>{severityName(t, s)}</option>)}
        </select>
      </label>
      <label>
        {w.status}
        <select value={draft.status} onChange={(e) => set("status", e.target.value)}>
          <option value="enabled">{w.enabled}</option>
          <option value="disabled">{w.disabled}</option>
        </select>
      </label>
      <fieldset>
        <legend>{w.scope}</legend>
        <label>
          {w.building}
          <select value={draft.building_id ?? ""}
                  onChange={(e) => setDraft((d) => ({ ...d, building_id: e.target.value ? Number(e.target.value) : null, point_id: null }))}>
            <option value="">{w.anyBuilding}</option>
            {buildings.map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
          </select>
        </label>
        {draft.type !== "expression" && (
          <>
            <label>
              {w.point}
              <select value={draft.point_id ?? ""} disabled={!draft.building_id}
                      aria-invalid={errorFor("point_id") ? true : undefined} aria-describedby={describedBy("point_id")}
                      onChange={(e) => set("point_id", e.target.value ? Number(e.target.value) : null)}>
                <option value="">{w.anyPoint}</option>
                {points.map((p) => <option key={p.id} value={p.id}>{p.name}{p.unit ? ` (${p.unit})` : ""}</option>)}
              </select>
            </label>
            <label>
              {w.quantity}
              <input value={draft.quantity ?? ""} onChange={(e) => set("quantity", e.target.value)} />
            </label>
          </>
        )}
        {draft.type === "expression" && points.length > 0 && (
          <label>
            {w.insertPoint}
            <select value="" onChange={(e) => insertPoint(e.target.value)}>
              <option value="" />
              {points.map((p) => <option key={p.id} value={p.id}>p{p.id} {p.name}</option>)}
            </select>
          </label>
        )}
      </fieldset>
      <fieldset>
        <legend>{w.parameters}</legend>
        {(TYPE_PARAMETERS[draft.type] ?? []).map(parameter)}
      </fieldset>
      <label className="wide">
        {w.schedule}
        <input value={draft.schedule ?? ""} onChange={(e) => set("schedule", e.target.value)}
               aria-invalid={errorFor("schedule") ? true : undefined} aria-describedby={describedBy("schedule")} />
      </label>
      <label className="wide">
        {w.message}
        <input maxLength={500} value={draft.message ?? ""} onChange={(e) => set("message", e.target.value)} />
      </label>
      <label className="wide">
        {w.action}
        <input maxLength={500} value={draft.action ?? ""} onChange={(e) => set("action", e.target.value)} />
      </label>
      <p id="rule-problem" className={problem ? "error wide" : "wide verdict"} role="status" aria-live="polite">
        {verdict?.state === "checking" && w.checking}
        {verdict?.state === "valid" && w.valid}
        {problem && (problem.detail ?? problem.title)}
      </p>
      {saveError && <p role="alert" className="error wide">{saveError}</p>}
      <div className="wide">
        <button type="submit" disabled={problem !== null}>{w.save}</button>{" "}
        <button type="button" onClick={onCancel}>{t.cancel}</button>
      </div>
    </form>
  );
}
