import { useEffect, useRef, useState, type FormEvent } from "react";

import type { Words } from "../../i18n";
import { CommandHistory } from "./CommandHistory";
import { CommandOutcome, useCommandOutcome } from "./CommandOutcome";
import { DURATIONS, emptyCommand, PRIORITIES, rangeOf, requestOf, type CommandDraft } from "./commandDraft";
import { commandWords, type CommandWords } from "./commandWords";
import { isOnOff, sendCommand, type Command, type PointRecord } from "./controlApi";
import { ProblemAlert, refusalOf, type Refusal } from "./refusal";

// The dialog that commands one setpoint or command point: the value (on/off
// for an on/off point; empty releases), the priority and the duration of a
// timed override; after sending, the command's status live, and the
// point's recent commands with "Release" for a running override.
//
// A modal <dialog>: the browser keeps focus inside and Escape closes it;
// focus starts on the value and goes back to what opened the dialog.
export function CommandDialog({ t, point, onClose }: { t: Words; point: PointRecord; onClose: () => void }) {
  const w = commandWords(t);
  const dialog = useRef<HTMLDialogElement>(null);
  const [draft, setDraft] = useState<CommandDraft>(emptyCommand);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<Command | null>(null);
  const [generation, setGeneration] = useState(0);
  const { command, gaveUp } = useCommandOutcome(sent, () => setGeneration((n) => n + 1));

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const d = dialog.current!;
    if (!d.open) d.showModal();
    // The value first: what the user came for (the browser would pick Close).
    d.querySelector<HTMLElement>("[data-initial-focus]")?.focus();
    return () => {
      if (d.open) d.close();
      opener?.focus();
    };
  }, []);

  const base = `command-${point.id}`;
  const problemId = `${base}-problem`;
  const refusal = refusalOf(error, `${base}-field-problem`, problemId, w.fieldProblem);
  const set = (patch: Partial<CommandDraft>) => setDraft((d) => ({ ...d, ...patch }));

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      setSent(await sendCommand(point.id, requestOf(draft, point, new Date())));
      setGeneration((n) => n + 1);
    } catch (problem) {
      setError(problem);
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} className="command-dialog" aria-labelledby={`${base}-title`}
            aria-describedby={`${base}-intro`} data-point={point.id}
            onCancel={(e) => {
              e.preventDefault();
              onClose();
            }}>
      <div className="dialog-head">
        <h2 id={`${base}-title`}>{w.title(point.name)}</h2>
        <button type="button" onClick={onClose}>{w.close}</button>
      </div>
      <p id={`${base}-intro`} className="muted">{w.intro}</p>
      <form onSubmit={submit} noValidate aria-labelledby={`${base}-title`}>
        <ValueField w={w} lang={t.lang} point={point} base={base} value={draft.value}
                    onChange={(value) => set({ value })} refusal={refusal} />
        <div className="field">
          <label htmlFor={`${base}-priority`}>{w.priority}</label>
          <select id={`${base}-priority`} name="priority" value={draft.priority}
                  onChange={(e) => set({ priority: e.target.value })}
                  {...refusal.invalid("/priority", `${base}-priority-hint`)}>
            <option value="">{w.priorityDefault}</option>
            {PRIORITIES.map((p) => <option key={p} value={p}>{w.priorityNames[p] ?? p}</option>)}
          </select>
          {refusal.note("/priority")}
          <small id={`${base}-priority-hint`} className="muted">{w.priorityHint}</small>
        </div>
        <DurationField w={w} base={base} draft={draft} set={set} refusal={refusal} />
        <ProblemAlert id={problemId} error={error} statuses={w.problems} serverSaid={w.serverSaid} failed={w.failed} />
        <div className="dialog-actions">
          {/* Not disabled while sending: the focus stays on it. */}
          <button type="submit" aria-disabled={busy || undefined}>{busy ? w.sending : w.send}</button>
        </div>
      </form>
      <CommandOutcome w={w} lang={t.lang} point={point} command={command} gaveUp={gaveUp} />
      <CommandHistory t={t} w={w} point={point} generation={generation} canRelease />
    </dialog>
  );
}

// The value: a number in the point's unit and range, or on/off; empty
// (or "release") sends null, which relinquishes a BACnet priority.
function ValueField({ w, lang, point, base, value, onChange, refusal }: {
  w: CommandWords;
  lang: string;
  point: PointRecord;
  base: string;
  value: string;
  onChange: (value: string) => void;
  refusal: Refusal;
}) {
  const hint = `${base}-value-hint`;
  if (isOnOff(point))
    return (
      <fieldset className="on-off">
        <legend>{w.value}</legend>
        {(["on", "off", ""] as const).map((v) => (
          <label key={v || "release"} className="inline">
            <input type="radio" name={`${base}-value`} value={v} checked={value === v}
                   data-initial-focus={value === v ? true : undefined} onChange={() => onChange(v)}
                   {...refusal.invalid("/value", hint)} />
            {v === "on" ? w.on : v === "off" ? w.off : w.release}
          </label>
        ))}
        <small id={hint} className="muted">{w.valueHint("")}</small>
        {refusal.note("/value")}
      </fieldset>
    );
  return (
    <div className="field">
      <label htmlFor={`${base}-value`}>{w.value}{point.unit ? ` (${point.unit})` : ""}</label>
      <input id={`${base}-value`} name="value" value={value} inputMode="decimal" autoComplete="off" spellCheck={false}
             data-initial-focus onChange={(e) => onChange(e.target.value)} {...refusal.invalid("/value", hint)} />
      {refusal.note("/value")}
      <small id={hint} className="muted">{w.valueHint(rangeOf(point, lang))}</small>
    </div>
  );
}

// How long the command holds: no end, a few fixed spans, the rest of the
// day, or a number of minutes.
function DurationField({ w, base, draft, set, refusal }: {
  w: CommandWords;
  base: string;
  draft: CommandDraft;
  set: (patch: Partial<CommandDraft>) => void;
  refusal: Refusal;
}) {
  const custom = draft.duration === "custom";
  return (
    <>
      <div className="field">
        <label htmlFor={`${base}-duration`}>{w.duration}</label>
        <select id={`${base}-duration`} name="duration" value={draft.duration}
                onChange={(e) => set({ duration: e.target.value as CommandDraft["duration"] })}
                {...refusal.invalid(custom ? "" : "/duration", `${base}-duration-hint`)}>
          {DURATIONS.map((d) => <option key={d} value={d}>{w.durations[d]}</option>)}
        </select>
        {!custom && refusal.note("/duration")}
        <small id={`${base}-duration-hint`} className="muted">{w.durationHint}</small>
      </div>
      {custom && (
        <div className="field">
          <label htmlFor={`${base}-minutes`}>{w.minutes}</label>
          <input id={`${base}-minutes`} name="minutes" value={draft.minutes} inputMode="numeric" autoComplete="off"
                 onChange={(e) => set({ minutes: e.target.value })} {...refusal.invalid("/duration")} />
          {refusal.note("/duration")}
        </div>
      )}
    </>
  );
}
