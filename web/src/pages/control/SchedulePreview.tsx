import { useEffect, useState } from "react";

import type { Words } from "../../i18n";
import { loadPreview, type Preview } from "./controlApi";
import { ProblemAlert } from "./refusal";
import { setpointsText } from "./ScheduleStatusView";
import type { ScheduleWords } from "./scheduleWords";
import { weekIn, zonedTime } from "./zonedTime";

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return h * 60 + m;
}

// A week of the saved schedule as the server plans it: each local day with
// the rule that planned it and its blocks (drawn as a bar over the 24 hours,
// and listed in words), and every change of mode with its setpoints.
// `generation` grows with each save, so the preview follows what is saved.
export function SchedulePreview({ t, w, id, zone, generation }: {
  t: Words;
  w: ScheduleWords;
  id: number;
  zone: string;
  generation: number;
}) {
  const [offset, setOffset] = useState(0);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<unknown>(null);
  // Monday to Sunday as the schedule's clocks count them: the days it plans.
  const { from, to } = weekIn(zone, offset);

  useEffect(() => {
    let live = true;
    setError(null);
    loadPreview(id, from, to)
      .then((p) => live && setPreview(p))
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [id, offset, generation, zone]);

  const locale = t.lang === "de" ? "de-DE" : "en-GB";
  const dayName = (date: string) =>
    new Date(`${date}T12:00:00Z`).toLocaleDateString(locale, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
  const mode = (m: string) => w.modes[m] ?? m;

  return (
    <section className="schedule-preview" aria-labelledby="schedule-preview-title"
             data-from={preview?.from} data-to={preview?.to}>
      <h2 id="schedule-preview-title">{w.preview}</h2>
      <p className="muted">{w.previewIntro}</p>
      <div className="preview-nav" role="group" aria-label={w.preview}>
        <button type="button" onClick={() => setOffset((o) => o - 1)}>{w.previousWeek}</button>
        <button type="button" onClick={() => setOffset(0)} disabled={offset === 0}>{w.thisWeek}</button>
        <button type="button" onClick={() => setOffset((o) => o + 1)}>{w.nextWeek}</button>
        <span aria-live="polite">
          {preview && preview.days.length > 0 && w.weekOf(dayName(preview.days[0].date), dayName(preview.days.at(-1)!.date))}
        </span>
      </div>
      <ProblemAlert id="preview-problem" error={error} statuses={w.problems} serverSaid={w.serverSaid} failed={w.failed} />
      {preview && (
        <>
          <div className="scroll" role="region" aria-label={w.weekPlan} tabIndex={0}>
            <table className="preview-week">
              <thead>
                <tr><th>{w.day}</th><th>{w.plannedBy}</th><th>{w.plan}</th></tr>
              </thead>
              <tbody>
                {preview.days.map((d) => (
                  <tr key={d.date} data-date={d.date} data-source={d.source}>
                    <th scope="row">{dayName(d.date)}</th>
                    <td>{w.sources[d.source] ?? d.source}</td>
                    <td>
                      <svg className="day-bar" viewBox="0 0 1440 12" preserveAspectRatio="none" aria-hidden="true">
                        {d.segments.map((s) => (
                          <rect key={s.start} className={s.mode} x={minutes(s.start)} y={0}
                                width={minutes(s.end) - minutes(s.start)} height={12} />
                        ))}
                      </svg>
                      <ul className="segments">
                        {d.segments.map((s) => (
                          <li key={s.start} data-mode={s.mode} data-start={s.start} data-end={s.end}>
                            {s.start}–{s.end} {mode(s.mode)}
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h3>{w.changes}</h3>
          <p className="muted">{w.modeAtStart(mode(preview.mode_at_from))}</p>
          {preview.transitions.length === 0 ? <p>{w.noChanges}</p> : (
            <ol className="transitions">
              {preview.transitions.map((c) => (
                <li key={c.at} data-at={c.at} data-mode={c.mode}>
                  <time dateTime={c.at}>{zonedTime(t, c.at, zone)}</time> → <strong>{mode(c.mode)}</strong>{" "}
                  ({setpointsText(t, w, c.setpoints)}; {w.sources[c.source] ?? c.source})
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </section>
  );
}
