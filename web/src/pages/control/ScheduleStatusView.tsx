import type { Words } from "../../i18n";
import type { Schedule, Setpoints } from "./controlApi";
import type { ScheduleWords } from "./scheduleWords";
import { zonedTime } from "./zonedTime";

// What the scheduler does with the saved schedule: the mode now, the next
// change, what it wrote last and why, and optimal start's lead.
export function ScheduleStatusView({ t, w, schedule }: { t: Words; w: ScheduleWords; schedule: Schedule }) {
  const s = schedule.status;
  const zone = String((schedule.schedule as { timezone?: string }).timezone ?? "");
  const mode = (m: string | null | undefined) => (m ? w.modes[m] ?? m : w.none);
  return (
    <section className="schedule-status" aria-labelledby="schedule-status-title">
      <h2 id="schedule-status-title">{w.status}</h2>
      <dl className="facts">
        <div>
          <dt>{w.modeNow}</dt>
          <dd data-status="mode_now" data-mode={s.mode_now}>
            {schedule.enabled ? mode(s.mode_now) : `${mode(s.mode_now)} (${w.disabled})`}
          </dd>
        </div>
        <div>
          <dt>{w.nextChange}</dt>
          <dd data-status="next_change" data-mode={s.next_change?.mode}>
            {s.next_change
              ? `${zonedTime(t, s.next_change.at, zone)} → ${mode(s.next_change.mode)} (${setpointsText(t, w, s.next_change.setpoints)}; ${w.sources[s.next_change.source] ?? s.next_change.source})`
              : w.noChange}
          </dd>
        </div>
        <div>
          <dt>{w.applied}</dt>
          <dd data-status="applied" data-mode={s.applied?.mode ?? undefined}>
            {s.applied
              ? w.appliedText(mode(s.applied.mode), zonedTime(t, s.applied.change_at, zone), zonedTime(t, s.applied.at, zone),
                              s.applied.why ? w.why[s.applied.why] ?? s.applied.why : "")
              : w.notApplied}
          </dd>
        </div>
        {s.lead_minutes !== undefined && (
          <div>
            <dt>{w.lead}</dt>
            <dd data-status="lead">{w.leadText(s.lead_minutes, s.warmups_learned)}</dd>
          </div>
        )}
      </dl>
    </section>
  );
}

export function setpointsText(t: Words, w: ScheduleWords, sp: Setpoints): string {
  const n = (v: number) => v.toLocaleString(t.lang);
  const parts = [`${w.edges.setpoint} ${n(sp.setpoint)}`];
  if (sp.heating !== undefined) parts.push(`${w.edges.heating} ${n(sp.heating)}`);
  if (sp.cooling !== undefined) parts.push(`${w.edges.cooling} ${n(sp.cooling)}`);
  return parts.join(", ");
}
