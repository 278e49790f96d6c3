import { useEffect, useState, type FormEvent } from "react";

import type { SectionProps } from "../Admin";
import {
  commission,
  discover,
  isPointObject,
  pointKind,
  pointQuantity,
  type Commissioned,
  type DiscoveredDevice,
  type DiscoverRequest,
  type Step,
} from "./bacnetApi";
import { blamed, ProblemWords } from "./BacnetProblem";
import { bacnetWords, type BacnetWords } from "./bacnetWords";
import { loadBuildings, type BuildingRef } from "./deviceApi";

// The optional whole number of a form field; undefined when left empty.
function optionalNumber(data: FormData, name: string): number | undefined {
  const text = String(data.get(name) ?? "").trim();
  return text === "" ? undefined : Number(text);
}

// The administration's BACnet discovery: Who-Is to a target, the devices
// that answered with their objects, and per device one click that makes
// its points, the device and its driver document (bacnetApi.commission).
// Offered to those holding assets:write; the server checks again.
export function BacnetDiscovery({ t }: SectionProps) {
  const w = bacnetWords(t);
  const [buildings, setBuildings] = useState<BuildingRef[]>([]);
  const [found, setFound] = useState<DiscoveredDevice[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    loadBuildings()
      .then((b) => setBuildings(b.sort((x, y) => x.name.localeCompare(y.name))))
      .catch(setError);
  }, []);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const body: DiscoverRequest = { target: String(data.get("target") ?? "").trim() };
    const [low, high, wait] = [optionalNumber(data, "low"), optionalNumber(data, "high"), optionalNumber(data, "wait_ms")];
    if (low !== undefined) body.low = low;
    if (high !== undefined) body.high = high;
    if (wait !== undefined) body.wait_ms = wait;
    setBusy(true);
    setError(null);
    setFound(null);
    try {
      setFound((await discover(body)).devices);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const field = blamed(error);
  const invalid = (name: string) => (field === name ? { "aria-invalid": true, "aria-describedby": "discover-problem" } : {});

  return (
    <section aria-labelledby="discovery-title" className="discovery">
      <h2 id="discovery-title">{w.discovery}</h2>
      <p className="muted">{w.intro}</p>
      <form onSubmit={submit} aria-label={w.discovery}>
        <label>
          {w.target}
          <input name="target" required maxLength={100} placeholder={w.targetHint} spellCheck={false}
                 autoComplete="off" {...invalid("target")} />
        </label>
        <label>
          {w.low}
          <input name="low" type="number" min={0} max={4194303} inputMode="numeric" {...invalid("low")} />
        </label>
        <label>
          {w.high}
          <input name="high" type="number" min={0} max={4194303} inputMode="numeric" {...invalid("high")} />
        </label>
        <label>
          {w.wait}
          <input name="wait_ms" type="number" min={100} max={30000} step={100} defaultValue={2000}
                 {...invalid("wait_ms")} />
        </label>
        <button type="submit" disabled={busy}>{busy ? w.searching : w.search}</button>
      </form>
      <ProblemWords id="discover-problem" error={error} w={w} />
      <p role="status" className="note">
        {busy ? w.searching : found ? (found.length ? w.found(found.length) : w.noneFound) : ""}
      </p>
      {found?.map((d) => (
        <FoundDevice key={`${d.address}#${d.instance}`} w={w} found={d} buildings={buildings} />
      ))}
    </section>
  );
}

// One device that answered: what it is, its objects to choose from, and
// the button that commissions it in a chosen building.
function FoundDevice({ w, found, buildings }: {
  w: BacnetWords;
  found: DiscoveredDevice;
  buildings: BuildingRef[];
}) {
  const label = found.name || `BACnet ${found.instance}`;
  const [chosen, setChosen] = useState<Set<string>>(
    () => new Set(found.objects.filter((o) => isPointObject(o.object)).map((o) => o.object)),
  );
  const [building, setBuilding] = useState("");
  const [step, setStep] = useState<Step | null>(null);
  const [partial, setPartial] = useState<Partial<Commissioned>>({});
  const [done, setDone] = useState<Commissioned | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [hint, setHint] = useState<string | null>(null);
  const base = `bacnet-${found.instance}`;

  const toggle = (object: string, on: boolean) =>
    setChosen((old) => {
      const next = new Set(old);
      if (on) next.add(object);
      else next.delete(object);
      return next;
    });

  async function create() {
    setHint(null);
    if (!building) return setHint(w.needBuilding);
    const objects = found.objects.filter((o) => chosen.has(o.object));
    if (objects.length === 0) return setHint(w.needObjects);
    setError(null);
    setPartial({});
    try {
      setDone(await commission(found, objects, Number(building), setStep, setPartial));
    } catch (e) {
      setError(e);
    } finally {
      setStep(null);
    }
  }

  const stepText = (s: Step) =>
    s.kind === "point" ? w.stepPoint(s.object, s.done, s.total) : s.kind === "device" ? w.stepDevice : w.stepDriver;

  return (
    <article className="panel found-device" aria-labelledby={`${base}-title`} data-instance={found.instance}>
      <h3 id={`${base}-title`}>{label}</h3>
      <dl className="facts">
        <div><dt>{w.instance}</dt><dd data-field="instance">{found.instance}</dd></div>
        <div><dt>{w.address}</dt><dd data-field="address"><code>{found.address}</code></dd></div>
        <div><dt>{w.vendor}</dt><dd>{String(found.vendor)}</dd></div>
      </dl>
      {found.error && <p className="error">{w.deviceError(found.error)}</p>}
      <details open={found.objects.length <= 12}>
        <summary>{w.showObjects(label)} ({w.objects(found.objects.length)})</summary>
        <div className="scroll" role="region" aria-label={w.showObjects(label)} tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th><span className="visually-hidden">{w.chooseColumn}</span></th>
                <th>{w.object}</th>
                <th>{w.name}</th>
                <th>{w.unit}</th>
                <th>{w.writable}</th>
                <th>{w.becomes}</th>
              </tr>
            </thead>
            <tbody>
              {found.objects.map((o) => {
                const q = pointQuantity(o);
                return (
                  <tr key={o.object} data-object={o.object}>
                    <td>
                      <input type="checkbox" aria-label={w.choose(`${o.object} ${o.name}`.trim())}
                             checked={chosen.has(o.object)} disabled={done !== null}
                             onChange={(e) => toggle(o.object, e.target.checked)} />
                    </td>
                    <td><code>{o.object}</code></td>
                    <td>{o.name}</td>
                    <td>{o.unit || w.none}</td>
                    <td>{o.writable ? w.yes : w.no}</td>
                    <td className="muted">{w.kinds[pointKind(o)]}, {q.quantity}{q.unit ? ` (${q.unit})` : ""}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <p className="muted">{w.chosen(chosen.size, found.objects.length)}</p>
      </details>
      {!done && (
        <div className="commission">
          <label>
            {w.building}
            <select value={building} onChange={(e) => setBuilding(e.target.value)}>
              <option value="">{w.pickBuilding}</option>
              {buildings.map((b) => <option key={b.id} value={String(b.id)}>{b.name}</option>)}
            </select>
          </label>
          <button type="button" className="primary" disabled={step !== null} onClick={create}
                  aria-label={w.commissionOf(label)}>
            {w.commission}
          </button>
        </div>
      )}
      <p role="status" className="note">{step ? stepText(step) : hint ?? ""}</p>
      {error != null && (
        <>
          <ProblemWords error={error} w={w} />
          {(partial.points?.length ?? 0) > 0 && (
            <p className="muted">{w.partial(partial.points!.length, partial.device !== undefined)}</p>
          )}
        </>
      )}
      {done && (
        <div className="once commissioned" role="group" aria-label={w.doneTitle(done.device.name)}>
          <strong>{w.doneTitle(done.device.name)}</strong>
          <p>{w.doneText(done.points.length)}</p>
          <ul>
            {done.points.map(({ object, point }) => (
              <li key={point.id} data-point={point.id}>
                <code>{object}</code> →{" "}
                <a href={`#/buildings/${point.building_id}?points=${point.id}`}>{point.name}</a>{" "}
                <span className="muted">({w.kinds[point.kind] ?? point.kind}, {point.quantity}{point.unit ? `, ${point.unit}` : ""})</span>
              </li>
            ))}
          </ul>
          <p>
            <a href={`#/admin/devices/${done.device.id}`}>{w.openDevice}</a>
            {" · "}
            <a href={`#/buildings/${building}?points=${done.points.map((p) => p.point.id).join(",")}`}>{w.openPoints}</a>
          </p>
        </div>
      )}
    </article>
  );
}
