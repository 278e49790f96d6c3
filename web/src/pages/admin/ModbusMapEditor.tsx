import { useState, type FormEvent, type ReactNode } from "react";

import { ApiError } from "../../api/client";
import type { Words } from "../../i18n";
import type { DriverSettings } from "./bacnetApi";
import type { Device } from "./deviceApi";
import {
  documentOf,
  draftOf,
  emptyDraft,
  fieldOf,
  holdsBits,
  newKey,
  newPoint,
  ORDERS,
  readNow,
  saveDriver,
  TABLES,
  TYPES,
  type ChannelRead,
  type GroupRow,
  type MapDraft,
  type PointRow,
  type Table,
} from "./modbusMap";
import { modbusWords, type ModbusWords } from "./modbusWords";

type Busy = "read" | "save" | null;

// A Modbus TCP device's register map, edited in place: the connection, the
// poll groups and a row per channel; "Read now" asks the device with the
// map as it stands (unsaved) and shows each channel's value and raw
// registers beside its row; Save stores it (If-Match the version edited).
// The server judges every field: its 422 is shown on the field it names.
export function ModbusMapEditor({ t, device, settings, onSaved }: {
  t: Words;
  device: Device;
  settings: DriverSettings | null;
  onSaved: (settings: DriverSettings) => void;
}) {
  const w = modbusWords(t);
  const [draft, setDraft] = useState<MapDraft>(() => (settings ? draftOf(settings.document) : emptyDraft()));
  const [reads, setReads] = useState<Map<number, ChannelRead>>(new Map());
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<Busy>(null);
  const [note, setNote] = useState("");
  const base = `modbus-${device.id}`;
  const problemId = `${base}-problem`;
  const fieldProblemId = `${base}-field-problem`;

  const change = (next: (d: MapDraft) => MapDraft) => {
    setDraft(next);
    setNote(w.unsaved);
  };
  const setPoint = (key: number, patch: Partial<PointRow>) =>
    change((d) => ({ ...d, points: d.points.map((p) => (p.key === key ? { ...p, ...patch } : p)) }));
  const setGroup = (key: number, patch: Partial<GroupRow>) =>
    change((d) => ({ ...d, groups: d.groups.map((g) => (g.key === key ? { ...g, ...patch } : g)) }));

  async function run(what: Exclude<Busy, null>, job: () => Promise<string>) {
    setBusy(what);
    setError(null);
    setNote(what === "read" ? w.reading : w.saving);
    try {
      setNote(await job());
    } catch (e) {
      setError(e);
      setNote("");
    } finally {
      setBusy(null);
    }
  }

  const read = () =>
    run("read", async () => {
      const rows = draft.points;
      const answer = await readNow(device.id, documentOf(draft));
      const byChannel = new Map(answer.channels.map((c) => [c.channel, c]));
      setReads(new Map(rows.flatMap((p) => {
        const c = byChannel.get(p.channel.trim());
        return c ? [[p.key, c] as const] : [];
      })));
      return w.readDone(answer.channels.length, answer.channels.filter((c) => c.error).length, answer.elapsed_ms);
    });

  const save = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    void run("save", async () => {
      const stored = await saveDriver(device.id, documentOf(draft), settings?.version);
      onSaved(stored);
      return w.saved(stored.version);
    });
  };

  // The field the server refused, as the inputs' paths name them.
  const problem = error instanceof ApiError ? error.problem : null;
  const refused = problem?.status === 422 ? problem.invalid_params?.[0] : undefined;
  const bad = fieldOf(refused?.name);
  // What an input at `path` carries, and the server's reason after it when
  // it is the one refused.
  const field = (path: string, input: ReactNode) =>
    bad === path ? (
      <>
        {input}
        <span id={fieldProblemId} className="error field-problem" data-field-problem={path}>
          {w.fieldProblem}: {refused?.reason}
        </span>
      </>
    ) : input;
  const invalid = (path: string) =>
    bad === path ? { "aria-invalid": true as const, "aria-describedby": `${fieldProblemId} ${problemId}` } : {};

  const connection = (name: "host" | "port" | "unit_id" | "timeout_ms" | "retries" | "max_gap", label: string) => (
    <label>
      {label}
      {field(`/${name}`,
        <input name={name} value={draft[name]} spellCheck={false} autoComplete="off"
               inputMode={name === "host" ? undefined : "numeric"} required={name === "host"}
               onChange={(e) => change((d) => ({ ...d, [name]: e.target.value }))} {...invalid(`/${name}`)} />)}
    </label>
  );

  return (
    <form className="modbus-map" onSubmit={save} aria-labelledby={`${base}-title`} data-map={device.id} noValidate>
      <h4 id={`${base}-title`}>{w.editor}</h4>
      <p className="muted wide">{w.intro}</p>
      <fieldset>
        <legend>{w.connection}</legend>
        {connection("host", w.host)}
        {connection("port", w.port)}
        {connection("unit_id", w.unitId)}
        {connection("timeout_ms", w.timeout)}
        {connection("retries", w.retries)}
        {connection("max_gap", w.maxGap)}
      </fieldset>
      <fieldset className="groups">
        <legend>{w.groups}</legend>
        <ul>
          {draft.groups.map((g, i) => (
            <li key={g.key} data-group={i}>
              <label>
                {w.groupName}
                {field(`/groups/${i}/name`,
                  <input value={g.name} onChange={(e) => setGroup(g.key, { name: e.target.value })}
                         {...invalid(`/groups/${i}/name`)} />)}
              </label>
              <label>
                {w.interval}
                {field(`/groups/${i}/interval_ms`,
                  <input value={g.interval_ms} inputMode="numeric"
                         onChange={(e) => setGroup(g.key, { interval_ms: e.target.value })}
                         {...invalid(`/groups/${i}/interval_ms`)} />)}
              </label>
              <button type="button" disabled={draft.groups.length <= 1} aria-label={w.removeGroup(g.name)}
                      onClick={() => change((d) => ({ ...d, groups: d.groups.filter((x) => x.key !== g.key) }))}>
                {w.remove}
              </button>
            </li>
          ))}
        </ul>
        <button type="button" onClick={() => change((d) => ({
          ...d, groups: [...d.groups, { key: newKey(), name: `group${d.groups.length + 1}`, interval_ms: "60000" }],
        }))}>
          {w.addGroup}
        </button>
      </fieldset>
      <fieldset className="points">
        <legend>{w.points}</legend>
        {draft.points.length === 0 ? <p className="muted">{w.noPoints}</p> : (
          <div className="scroll" role="region" aria-label={w.points} tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th>{w.channel}</th><th>{w.table}</th><th>{w.address}</th><th>{w.type}</th>
                  <th>{w.wordOrder}</th><th>{w.byteOrder}</th><th>{w.scale}</th><th>{w.offset}</th>
                  <th>{w.bit}</th><th>{w.group}</th><th>{w.writable}</th><th>{w.read}</th><th>{w.actions}</th>
                </tr>
              </thead>
              <tbody>
                {draft.points.map((p, i) => (
                  <PointEditor key={p.key} w={w} lang={t.lang} row={p} index={i} groups={draft.groups} result={reads.get(p.key)}
                               field={field} invalid={invalid} set={(patch) => setPoint(p.key, patch)}
                               duplicate={() => change((d) => {
                                 const copy = { ...p, key: newKey(), channel: `${p.channel}_copy` };
                                 return { ...d, points: [...d.points.slice(0, i + 1), copy, ...d.points.slice(i + 1)] };
                               })}
                               remove={() => change((d) => ({ ...d, points: d.points.filter((x) => x.key !== p.key) }))} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <button type="button" onClick={() => change((d) => ({ ...d, points: [...d.points, newPoint(d.groups[0]?.name ?? "")] }))}>
          {w.addPoint}
        </button>
      </fieldset>
      <MapProblem id={problemId} error={error} w={w} />
      <div className="map-actions wide">
        <button type="button" onClick={read} disabled={busy !== null}>{busy === "read" ? w.reading : w.readNow}</button>
        <button type="submit" className="primary" disabled={busy !== null}>{busy === "save" ? w.saving : w.save}</button>
        <p role="status" className="note">{note}</p>
      </div>
    </form>
  );
}

// One channel's row: its fields (those that do not apply to its table and
// type shown as "–"), what the last read brought, and its actions.
function PointEditor({ w, lang, row, index, groups, result, field, invalid, set, duplicate, remove }: {
  w: ModbusWords;
  lang: string;
  row: PointRow;
  index: number;
  groups: GroupRow[];
  result: ChannelRead | undefined;
  field: (path: string, input: ReactNode) => ReactNode;
  invalid: (path: string) => Record<string, unknown>;
  set: (patch: Partial<PointRow>) => void;
  duplicate: () => void;
  remove: () => void;
}) {
  const label = w.rowLabel(index + 1, row.channel.trim());
  const at = (name: string) => `/points/${index}/${name}`;
  const bits = holdsBits(row.table);
  const isBool = !bits && row.type === "bool";
  const none = <span className="muted">{w.notApplicable}</span>;
  const text = (name: "channel" | "address" | "scale" | "offset" | "bit", title: string, mode?: "numeric" | "decimal") =>
    field(at(name),
      <input value={row[name]} aria-label={w.fieldOf(title, label)} data-field={name} inputMode={mode}
             spellCheck={false} autoComplete="off" onChange={(e) => set({ [name]: e.target.value })}
             {...invalid(at(name))} />);
  const choice = (name: "table" | "type" | "word_order" | "byte_order" | "group", title: string,
                  options: readonly string[], words?: Record<string, string>) =>
    field(at(name),
      <select value={row[name]} aria-label={w.fieldOf(title, label)} data-field={name}
              onChange={(e) => set(name === "table" ? { table: e.target.value as Table } : { [name]: e.target.value })}
              {...invalid(at(name))}>
        {options.map((o) => <option key={o} value={o}>{words?.[o] ?? o}</option>)}
      </select>);

  return (
    <tr data-row={index} data-channel={row.channel.trim()}>
      <td>{text("channel", w.channel)}</td>
      <td>{choice("table", w.table, TABLES, w.tables)}</td>
      <td>{text("address", w.address, "numeric")}</td>
      <td>{bits ? none : choice("type", w.type, TYPES)}</td>
      <td>{bits || isBool ? none : choice("word_order", w.wordOrder, ORDERS, w.orders)}</td>
      <td>{bits || isBool ? none : choice("byte_order", w.byteOrder, ORDERS, w.orders)}</td>
      <td>{bits || isBool ? none : text("scale", w.scale, "decimal")}</td>
      <td>{bits || isBool ? none : text("offset", w.offset, "decimal")}</td>
      <td>{isBool ? text("bit", w.bit, "numeric") : none}</td>
      <td>{choice("group", w.group, groups.map((g) => g.name))}</td>
      <td>
        {field(at("writable"),
          <input type="checkbox" checked={row.writable} aria-label={w.fieldOf(w.writable, label)} data-field="writable"
                 onChange={(e) => set({ writable: e.target.checked })} {...invalid(at("writable"))} />)}
      </td>
      <td className="read" data-read={result ? (result.error ? "error" : "value") : undefined}
          data-value={result?.value ?? undefined} aria-live="polite">
        {result?.value !== undefined && <strong>{result.value.toLocaleString(lang, { maximumFractionDigits: 6 })}</strong>}
        {result?.raw && <small className="muted">{w.raw}: <code>{result.raw}</code></small>}
        {result?.error && <small className="error">{result.error}</small>}
      </td>
      <td className="actions">
        <button type="button" aria-label={w.duplicateRow(label)} onClick={duplicate}>{w.duplicate}</button>
        <button type="button" aria-label={w.removeRow(label)} onClick={remove}>{w.remove}</button>
      </td>
    </tr>
  );
}

// The refusal of a read or a save in the user's words (by its status), with
// the server's own detail beside it.
function MapProblem({ id, error, w }: { id: string; error: unknown; w: ModbusWords }) {
  if (!error) return null;
  if (!(error instanceof ApiError))
    return <div id={id} role="alert" className="error problem wide">{w.failed}: {String(error)}</div>;
  const p = error.problem;
  return (
    <div id={id} role="alert" className="error problem wide" data-status={p.status}>
      <strong>{w.statuses[p.status] ?? p.title}</strong>
      <p><small>{w.serverSaid}: {p.detail ?? p.title} ({p.status})</small></p>
    </div>
  );
}
