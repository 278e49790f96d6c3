import { DayRuleEditor } from "./DayRuleEditor";
import { at, field, type EditorKit } from "./editorKit";
import { newException, type ExceptionRow } from "./scheduleDraft";

// Exception days: one date or a range of dates (both inclusive), a name,
// and the rule that plans them. They come first, before holidays.
export function ExceptionsEditor({ kit, exceptions, onChange }: {
  kit: EditorKit;
  exceptions: ExceptionRow[];
  onChange: (exceptions: ExceptionRow[]) => void;
}) {
  const { w } = kit;
  const set = (key: number, patch: Partial<ExceptionRow>) =>
    onChange(exceptions.map((e) => (e.key === key ? { ...e, ...patch } : e)));
  return (
    <fieldset className="exceptions" data-path="/schedule/exceptions">
      <legend>{w.exceptions}</legend>
      <p className="muted wide">{w.exceptionsIntro}</p>
      {kit.refusal.note("/schedule/exceptions")}
      {exceptions.length === 0 && <p className="muted wide">{w.noExceptions}</p>}
      {exceptions.map((e, i) => {
        const path = `/schedule/exceptions/${i}`;
        const label = w.exceptionLabel(i + 1, e.name.trim());
        return (
          <fieldset key={e.key} className="exception" data-exception={i}>
            <legend>{label}</legend>
            {kit.refusal.note(path)}
            <label>
              {w.name}
              {field(kit, `${path}/name`,
                <input value={e.name} autoComplete="off" onChange={(ev) => set(e.key, { name: ev.target.value })}
                       {...at(kit, `${path}/name`)} />)}
            </label>
            <label>
              {w.span}
              <select value={e.span} onChange={(ev) => set(e.key, { span: ev.target.value as ExceptionRow["span"] })}>
                <option value="date">{w.oneDay}</option>
                <option value="range">{w.range}</option>
              </select>
            </label>
            {e.span === "date" ? (
              <label>
                {w.date}
                {field(kit, `${path}/date`,
                  <input type="date" value={e.date} onChange={(ev) => set(e.key, { date: ev.target.value })}
                         {...at(kit, `${path}/date`)} />)}
              </label>
            ) : (
              <>
                <label>
                  {w.firstDay}
                  {field(kit, `${path}/first_day`,
                    <input type="date" value={e.first_day} onChange={(ev) => set(e.key, { first_day: ev.target.value })}
                           {...at(kit, `${path}/first_day`)} />)}
                </label>
                <label>
                  {w.lastDay}
                  {field(kit, `${path}/last_day`,
                    <input type="date" value={e.last_day} onChange={(ev) => set(e.key, { last_day: ev.target.value })}
                           {...at(kit, `${path}/last_day`)} />)}
                </label>
              </>
            )}
            <DayRuleEditor kit={kit} rule={e.rule} path={path} where={label}
                           onChange={(rule) => set(e.key, { rule })} />
            <button type="button" aria-label={w.removeRow(label)}
                    onClick={() => onChange(exceptions.filter((x) => x.key !== e.key))}>
              {w.remove}
            </button>
          </fieldset>
        );
      })}
      <button type="button" onClick={() => onChange([...exceptions, newException()])}>{w.addException}</button>
    </fieldset>
  );
}
