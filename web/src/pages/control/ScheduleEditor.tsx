import { useEffect, useState, type FormEvent } from "react";

import type { Words } from "../../i18n";
import {
  createSchedule,
  importSchoolHolidays,
  loadBuildingPoints,
  loadBuildings,
  loadSchedule,
  loadTemperatureSensors,
  MODES,
  replaceSchedule,
  type BuildingRef,
  type PointRecord,
  type Schedule,
} from "./controlApi";
import { at, field, type EditorKit } from "./editorKit";
import { ExceptionsEditor } from "./ExceptionsEditor";
import { HolidaysEditor } from "./HolidaysEditor";
import { ModesEditor } from "./ModesEditor";
import { ProblemAlert, refusalOf } from "./refusal";
import { bodyOf, draftOf, emptySchedule, type ScheduleDraft } from "./scheduleDraft";
import { SchedulePreview } from "./SchedulePreview";
import { ScheduleStatusView } from "./ScheduleStatusView";
import { scheduleWords } from "./scheduleWords";
import { OptimalStartEditor, TargetsEditor } from "./TargetsEditor";
import { WeekEditor } from "./WeekEditor";

// One control schedule (id null: a new one): its record and weekly
// document edited in place, saved with POST or PUT (If-Match the version
// edited); the server judges every field and its 422 is shown on the field
// its pointer names. Beside it, once saved, the scheduler's status and a
// week's preview. Without control:write everything is shown, read only.
export function ScheduleEditor({ t, id, canWrite, onCreated }: {
  t: Words;
  id: number | null;
  canWrite: boolean;
  onCreated: (schedule: Schedule) => void;
}) {
  const w = scheduleWords(t);
  const [schedule, setSchedule] = useState<Schedule | null>(null);
  const [draft, setDraft] = useState<ScheduleDraft | null>(id === null ? emptySchedule() : null);
  const [buildings, setBuildings] = useState<BuildingRef[]>([]);
  const [points, setPoints] = useState<PointRecord[]>([]);
  const [outdoors, setOutdoors] = useState<PointRecord[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState("");
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    loadBuildings().then(setBuildings).catch(setLoadError);
    loadTemperatureSensors().then(setOutdoors).catch(() => setOutdoors([]));
  }, []);

  // The schedule the route names; one just created is already here.
  useEffect(() => {
    setError(null);
    if (id === null) {
      setSchedule(null);
      setDraft(emptySchedule());
      setNote("");
      return;
    }
    if (schedule?.id === id) return;
    let live = true;
    setDraft(null);
    loadSchedule(id)
      .then((s) => {
        if (!live) return;
        setSchedule(s);
        setDraft(draftOf(s));
        setNote("");
      })
      .catch((e) => live && setLoadError(e));
    return () => {
      live = false;
    };
  }, [id]);

  // The scheduler applies a save within a second and each change at its
  // instant: the status is asked for again now and then (and soon after a
  // save), the draft and the version edited left as they are.
  const shownId = schedule?.id;
  useEffect(() => {
    if (shownId === undefined) return;
    let live = true;
    const refresh = () =>
      loadSchedule(shownId)
        .then((fresh) => live && setSchedule((s) => (s && s.id === fresh.id ? { ...s, status: fresh.status } : s)))
        .catch(() => {});
    const soon = window.setTimeout(refresh, 2000);
    const every = window.setInterval(refresh, 30_000);
    return () => {
      live = false;
      window.clearTimeout(soon);
      window.clearInterval(every);
    };
  }, [shownId, generation]);

  // The building's points, for the targets and the zone sensor.
  const building = draft?.building_id ?? "";
  useEffect(() => {
    if (!/^\d+$/.test(building)) return setPoints([]);
    let live = true;
    loadBuildingPoints(Number(building))
      .then((list) => live && setPoints(list))
      .catch(() => live && setPoints([]));
    return () => {
      live = false;
    };
  }, [building]);

  if (loadError)
    return (
      <section className="schedule-editor">
        <p><a href="#/schedules">← {w.back}</a></p>
        <h1>{w.schedules}</h1>
        <ProblemAlert id="schedule-load-problem" error={loadError} statuses={w.problems} serverSaid={w.serverSaid} failed={w.failed} />
      </section>
    );
  if (!draft) return <p>{t.loading}</p>;

  const problemId = "schedule-problem";
  const kit: EditorKit = { w, refusal: refusalOf(error, "schedule-field-problem", problemId, w.fieldProblem) };
  const change = (patch: Partial<ScheduleDraft>) => {
    setDraft((d) => (d ? { ...d, ...patch } : d));
    setNote(w.unsaved);
  };

  const save = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNote(w.saving);
    try {
      const saved = schedule
        ? await replaceSchedule(schedule.id, bodyOf(draft, false), schedule.version)
        : await createSchedule(bodyOf(draft, true));
      setSchedule(saved);
      // As the server stored it: normalised, exceptions in date order.
      setDraft(draftOf(saved));
      setGeneration((n) => n + 1);
      setNote(w.saved(saved.version));
      if (!schedule) onCreated(saved);
    } catch (problem) {
      setError(problem);
      setNote("");
    } finally {
      setBusy(false);
    }
  };

  // The server reads the file and saves its periods at once: they replace
  // the draft's, the rest of the draft (unsaved edits too) stays, and the
  // next save goes against the new version.
  const importCalendar = async (file: File) => {
    if (!schedule) return;
    setBusy(true);
    setError(null);
    try {
      const saved = await importSchoolHolidays(schedule.id, await file.text(), schedule.version);
      setSchedule(saved);
      const periods = draftOf(saved).school_holidays;
      setDraft((d) => (d ? { ...d, school_holidays: periods } : d));
      setGeneration((n) => n + 1);
      setNote(w.imported(periods.length, saved.version));
    } catch (problem) {
      setError(problem);
      setNote("");
    } finally {
      setBusy(false);
    }
  };

  const zone = String((schedule?.schedule as { timezone?: string } | undefined)?.timezone ?? draft.timezone);
  const title = schedule ? w.editTitle(schedule.name) : w.newTitle;
  return (
    <section className="schedule-editor" data-schedule={schedule?.id ?? "new"}>
      <p><a href="#/schedules">← {w.back}</a></p>
      <h1 id="schedule-title">{title}</h1>
      {!canWrite && <p className="muted">{w.readOnly}</p>}
      <form className="schedule-form" onSubmit={save} aria-labelledby="schedule-title" noValidate>
        <fieldset className="schedule-fields" disabled={!canWrite || busy}>
          <fieldset className="general">
            <legend>{w.general}</legend>
            <label>
              {w.name}
              {field(kit, "/name",
                <input value={draft.name} autoComplete="off" onChange={(e) => change({ name: e.target.value })}
                       {...at(kit, "/name")} />)}
            </label>
            <label>
              {w.building}
              {field(kit, "/building_id",
                // A schedule stays in its building: chosen once, when it is made.
                <select value={draft.building_id} disabled={schedule !== null}
                        onChange={(e) => change({ building_id: e.target.value, targets: [], zone_point_id: "" })}
                        {...at(kit, "/building_id")}>
                  <option value="">{w.chooseBuilding}</option>
                  {buildings.map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
                </select>)}
            </label>
            <label className="inline">
              <input type="checkbox" checked={draft.enabled} onChange={(e) => change({ enabled: e.target.checked })}
                     {...at(kit, "/enabled")} />
              {w.enabled}
            </label>
            <label>
              {w.timezone}
              {field(kit, "/schedule/timezone",
                <input value={draft.timezone} autoComplete="off" spellCheck={false}
                       onChange={(e) => change({ timezone: e.target.value })} {...at(kit, "/schedule/timezone")} />)}
            </label>
            <label>
              {w.defaultMode}
              {field(kit, "/schedule/default_mode",
                <select value={draft.default_mode} onChange={(e) => change({ default_mode: e.target.value })}
                        {...at(kit, "/schedule/default_mode")}>
                  {MODES.map((m) => <option key={m} value={m}>{w.modes[m]}</option>)}
                </select>)}
            </label>
          </fieldset>
          <ModesEditor kit={kit} modes={draft.modes} onChange={(modes) => change({ modes })} />
          <WeekEditor kit={kit} days={draft.days} onChange={(days) => change({ days })} />
          <ExceptionsEditor kit={kit} exceptions={draft.exceptions} onChange={(exceptions) => change({ exceptions })} />
          <HolidaysEditor kit={kit} holidays={draft} onChange={change}
                          onImport={schedule && canWrite ? importCalendar : undefined} />
          <TargetsEditor kit={kit} targets={draft.targets} points={points} onChange={(targets) => change({ targets })} />
          <OptimalStartEditor kit={kit} value={draft} onChange={change}
                              zones={points.filter((p) => p.kind === "sensor" && p.quantity === "temperature")}
                              outdoors={outdoors} />
        </fieldset>
        <ProblemAlert id={problemId} error={error} statuses={w.problems} serverSaid={w.serverSaid} failed={w.failed} />
        {canWrite && (
          <div className="form-actions">
            <button type="submit" disabled={busy}>{busy ? w.saving : w.save}</button>
            <p role="status" className="note">{note}</p>
          </div>
        )}
      </form>
      {schedule && <ScheduleStatusView t={t} w={w} schedule={schedule} />}
      {schedule && <SchedulePreview t={t} w={w} id={schedule.id} zone={zone} generation={generation} />}
    </section>
  );
}
