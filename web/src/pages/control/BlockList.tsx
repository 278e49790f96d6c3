import { MODES } from "./controlApi";
import { at, field, type EditorKit } from "./editorKit";
import { newBlock, type BlockRow } from "./scheduleDraft";

// The time blocks of one day (a weekday, an exception, a kind of holiday):
// start, end and mode per row, as typed ("HH:MM"; the server reads them
// and names the one it refuses, e.g. /schedule/days/mon/0/end). `path` is
// the pointer of the list, `where` the day in words for the labels.
export function BlockList({ kit, blocks, path, where, onChange }: {
  kit: EditorKit;
  blocks: BlockRow[];
  path: string;
  where: string;
  onChange: (blocks: BlockRow[]) => void;
}) {
  const { w } = kit;
  const set = (key: number, patch: Partial<BlockRow>) =>
    onChange(blocks.map((b) => (b.key === key ? { ...b, ...patch } : b)));
  // A new block starts where the last one ended, so a day is built quickly.
  const add = () => {
    const last = blocks.at(-1);
    onChange([...blocks, last ? newBlock(last.end, last.end === "24:00" ? "24:00" : "", "standby") : newBlock()]);
  };
  return (
    <div className="blocks" data-path={path}>
      {kit.refusal.note(path)}
      {blocks.length === 0 ? <p className="muted">{w.noBlocks}</p> : (
        <ol>
          {blocks.map((b, i) => {
            const label = w.blockLabel(where, i + 1);
            const p = `${path}/${i}`;
            return (
              <li key={b.key} data-block={i}>
                {field(kit, `${p}/start`,
                  <input value={b.start} placeholder="HH:MM" inputMode="numeric" autoComplete="off" size={5}
                         aria-label={w.fieldOf(w.start, label)} onChange={(e) => set(b.key, { start: e.target.value })}
                         {...at(kit, `${p}/start`)} />)}
                <span aria-hidden="true">–</span>
                {field(kit, `${p}/end`,
                  <input value={b.end} placeholder="HH:MM" inputMode="numeric" autoComplete="off" size={5}
                         aria-label={w.fieldOf(w.end, label)} onChange={(e) => set(b.key, { end: e.target.value })}
                         {...at(kit, `${p}/end`)} />)}
                {field(kit, `${p}/mode`,
                  <select value={b.mode} aria-label={w.fieldOf(w.mode, label)}
                          onChange={(e) => set(b.key, { mode: e.target.value })} {...at(kit, `${p}/mode`)}>
                    {MODES.map((m) => <option key={m} value={m}>{w.modes[m]}</option>)}
                  </select>)}
                <button type="button" aria-label={w.removeRow(label)}
                        onClick={() => onChange(blocks.filter((x) => x.key !== b.key))}>
                  {w.remove}
                </button>
                {kit.refusal.note(p)}
              </li>
            );
          })}
        </ol>
      )}
      <button type="button" aria-label={w.addBlockTo(where)} onClick={add}>{w.addBlock}</button>
    </div>
  );
}
