import { MODES, WEEKDAYS } from "./controlApi";
import { BlockList } from "./BlockList";
import { at, field, type EditorKit } from "./editorKit";
import type { DayRuleDraft } from "./scheduleDraft";

// How a day that is not an ordinary weekday is planned (an exception, a
// public holiday, a school-holiday day): exactly one of a mode all day,
// blocks of its own, or the blocks of a weekday. `path` is the pointer of
// the object the rule's member goes into ("/schedule/exceptions/0").
export function DayRuleEditor({ kit, rule, path, where, onChange }: {
  kit: EditorKit;
  rule: DayRuleDraft;
  path: string;
  where: string;
  onChange: (rule: DayRuleDraft) => void;
}) {
  const { w } = kit;
  const set = (patch: Partial<DayRuleDraft>) => onChange({ ...rule, ...patch });
  return (
    <div className="day-rule">
      <label>
        {w.rule}
        <select value={rule.kind} onChange={(e) => set({ kind: e.target.value as DayRuleDraft["kind"] })}>
          {(["mode", "blocks", "as"] as const).map((k) => <option key={k} value={k}>{w.rules[k]}</option>)}
        </select>
      </label>
      {rule.kind === "mode" && (
        <label>
          {w.mode}
          {field(kit, `${path}/mode`,
            <select value={rule.mode} onChange={(e) => set({ mode: e.target.value })} {...at(kit, `${path}/mode`)}>
              {MODES.map((m) => <option key={m} value={m}>{w.modes[m]}</option>)}
            </select>)}
        </label>
      )}
      {rule.kind === "as" && (
        <label>
          {w.asWeekday}
          {field(kit, `${path}/as`,
            <select value={rule.as} onChange={(e) => set({ as: e.target.value })} {...at(kit, `${path}/as`)}>
              {WEEKDAYS.map((d) => <option key={d} value={d}>{w.weekdays[d]}</option>)}
            </select>)}
        </label>
      )}
      {rule.kind === "blocks" && (
        <BlockList kit={kit} blocks={rule.blocks} path={`${path}/blocks`} where={where}
                   onChange={(blocks) => set({ blocks })} />
      )}
    </div>
  );
}
