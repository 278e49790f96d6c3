import { WEEKDAYS, type Weekday } from "./controlApi";
import { BlockList } from "./BlockList";
import type { EditorKit } from "./editorKit";
import { newKey, type BlockRow } from "./scheduleDraft";

// The ordinary week: each weekday's blocks. Monday's can be copied to
// Tuesday to Friday, as most buildings keep the same hours all week.
export function WeekEditor({ kit, days, onChange }: {
  kit: EditorKit;
  days: Record<Weekday, BlockRow[]>;
  onChange: (days: Record<Weekday, BlockRow[]>) => void;
}) {
  const { w } = kit;
  const copyMonday = () => {
    const copy = () => days.mon.map((b) => ({ ...b, key: newKey() }));
    onChange({ ...days, tue: copy(), wed: copy(), thu: copy(), fri: copy() });
  };
  return (
    <fieldset className="week" data-path="/schedule/days">
      <legend>{w.week}</legend>
      <p className="muted wide">{w.weekIntro}</p>
      {WEEKDAYS.map((d) => (
        <fieldset key={d} className="weekday" data-day={d}>
          <legend>{w.weekdays[d]}</legend>
          <BlockList kit={kit} blocks={days[d]} path={`/schedule/days/${d}`} where={w.weekdays[d]}
                     onChange={(blocks) => onChange({ ...days, [d]: blocks })} />
          {d === "mon" && <button type="button" onClick={copyMonday}>{w.copyToWeekdays}</button>}
        </fieldset>
      ))}
    </fieldset>
  );
}
