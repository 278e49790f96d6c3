import { useEffect, useState } from "react";

import type { Words } from "../../i18n";
import { loadBuildings, loadSchedules, type BuildingRef, type Schedule } from "./controlApi";
import { ProblemAlert } from "./refusal";
import { ScheduleEditor } from "./ScheduleEditor";
import { scheduleWords } from "./scheduleWords";
import { zonedTime } from "./zonedTime";

// The control schedules (#/schedules), one of them (#/schedules/12) or a new
// one (#/schedules/new). Reading needs control:read, editing control:write;
// the server checks again. A schedule just made takes its own address in
// place of #/schedules/new, keeping the editor (and its "saved" note).
export default function Schedules({ t, part, canWrite }: { t: Words; part: string; canWrite: boolean }) {
  if (part === "") return <ScheduleList t={t} canWrite={canWrite} />;
  return (
    <ScheduleEditor t={t} id={part === "new" ? null : Number(part)} canWrite={canWrite}
                    onCreated={(s) => location.replace(`#/schedules/${s.id}`)} />
  );
}

function ScheduleList({ t, canWrite }: { t: Words; canWrite: boolean }) {
  const w = scheduleWords(t);
  const [schedules, setSchedules] = useState<Schedule[] | null>(null);
  const [buildings, setBuildings] = useState<Map<number, string>>(new Map());
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    loadSchedules().then(setSchedules).catch(setError);
    loadBuildings()
      .then((list: BuildingRef[]) => setBuildings(new Map(list.map((b) => [b.id, b.name]))))
      .catch(() => setBuildings(new Map()));
  }, []);

  const mode = (m: string | null | undefined) => (m ? w.modes[m] ?? m : w.none);
  return (
    <section className="schedules" aria-labelledby="schedules-title">
      <h1 id="schedules-title">{w.schedules}</h1>
      <p className="muted">{w.intro}</p>
      {canWrite && <p><a className="button" href="#/schedules/new">{w.newSchedule}</a></p>}
      <ProblemAlert id="schedules-problem" error={error} statuses={w.problems} serverSaid={w.serverSaid} failed={w.failed} />
      {schedules === null ? (!error && <p>{t.loading}</p>) : schedules.length === 0 ? <p>{w.noSchedules}</p> : (
        <div className="scroll">
          <table className="schedule-list">
            <thead>
              <tr><th>{w.name}</th><th>{w.building}</th><th>{w.modeNow}</th><th>{w.nextChange}</th></tr>
            </thead>
            <tbody>
              {schedules.map((s) => {
                const zone = String((s.schedule as { timezone?: string }).timezone ?? "");
                return (
                  <tr key={s.id} data-schedule={s.id}>
                    <td><a href={`#/schedules/${s.id}`}>{s.name}</a></td>
                    <td>{buildings.get(s.building_id) ?? s.building_id}</td>
                    <td>{s.enabled ? mode(s.status.mode_now) : `${mode(s.status.mode_now)} (${w.disabled})`}</td>
                    <td>
                      {s.status.next_change
                        ? `${zonedTime(t, s.status.next_change.at, zone)} → ${mode(s.status.next_change.mode)}`
                        : w.none}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
