import { useEffect, useState } from "react";

import { ApiError } from "../../api/client";
import type { Words } from "../../i18n";
import { loadDriver, loadDriverStatus, type DriverSettings, type DriverStatus } from "./bacnetApi";
import { ProblemWords } from "./BacnetProblem";
import { bacnetWords } from "./bacnetWords";
import type { Device } from "./deviceApi";
import { ModbusMapEditor } from "./ModbusMapEditor";

// How often the status is asked for again: the driver host updates it after
// every poll, and one call is cheap.
const STATUS_POLL_MS = 5_000;

// The protocols a plant driver polls (the others send by themselves).
export const DRIVEN_PROTOCOLS = ["bacnet_ip", "modbus_tcp", "http_poll"];

// One device's driver: its status (a badge, the last poll and error, the
// counters), asked again every few seconds while the page is visible, and
// the driver document as stored: read-only, but for a Modbus TCP device
// and a user holding assets:write, who gets the register-map editor.
export function DeviceDriver({ t, device, canWrite }: { t: Words; device: Device; canWrite: boolean }) {
  const w = bacnetWords(t);
  const [settings, setSettings] = useState<DriverSettings | null | undefined>(undefined);
  const [status, setStatus] = useState<DriverStatus | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    loadDriver(device.id)
      .then((s) => live && setSettings(s))
      .catch((e) => {
        if (!live) return;
        if (e instanceof ApiError && e.problem.status === 404) setSettings(null);  // none configured
        else setError(e);
      });
    const ask = () =>
      loadDriverStatus(device.id)
        .then((s) => live && (setStatus(s), setError(null)))
        .catch((e) => live && !(e instanceof ApiError && e.problem.status === 404) && setError(e));
    ask();
    const timer = window.setInterval(() => {
      if (!document.hidden) ask();
    }, STATUS_POLL_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [device.id]);

  const editsMap = canWrite && device.protocol === "modbus_tcp";
  const when = (iso: string | null | undefined, missing = w.never) =>
    iso ? <time dateTime={iso}>{new Date(iso).toLocaleString(t.lang)}</time> : missing;
  const number = (n: number | undefined) => (n ?? 0).toLocaleString(t.lang);

  return (
    <section className="panel driver" aria-labelledby={`driver-${device.id}`} data-driver={device.id}>
      <h3 id={`driver-${device.id}`}>{w.driverOf(device.name)}</h3>
      <ProblemWords error={error} w={w} />
      {settings === null && <p>{w.noDriver}</p>}
      {status && settings !== null && (
        <>
          <p>
            <span className={`badge driver-state ${status.status}`} data-state={status.status}>
              {w.driverState[status.status] ?? status.status}
            </span>{" "}
            <small className="muted">{w.refreshed}</small>
          </p>
          <dl className="facts">
            <div><dt>{w.since}</dt><dd>{when(status.since, w.none)}</dd></div>
            <div><dt>{w.lastPoll}</dt><dd data-field="last_poll">{when(status.last_poll_at)}</dd></div>
            <div><dt>{w.lastSuccess}</dt><dd>{when(status.last_success_at)}</dd></div>
            {status.status === "offline" && <div><dt>{w.nextProbe}</dt><dd>{when(status.next_probe_at)}</dd></div>}
            <div>
              <dt>{w.polls}</dt>
              <dd data-field="polls">
                {number(status.polls)} ({number(status.failed_polls)} {w.failedPolls}, {number(status.skipped_polls)} {w.skippedPolls})
              </dd>
            </div>
            <div><dt>{w.readings}</dt><dd data-field="readings">{number(status.readings)}</dd></div>
            <div><dt>{w.lateness}</dt><dd data-field="lateness">{number(status.max_lateness_ms)} ms</dd></div>
            <div><dt>{w.lastError}</dt><dd data-field="last_error">{status.last_error || w.none}</dd></div>
            {status.configuration_error && (
              <div><dt>{w.configError}</dt><dd className="error">{status.configuration_error}</dd></div>
            )}
          </dl>
        </>
      )}
      {editsMap && settings !== undefined && (
        <ModbusMapEditor t={t} device={device} settings={settings} onSaved={setSettings} />
      )}
      {settings && !editsMap && (
        <details open>
          <summary>{w.document(settings.version)}</summary>
          <pre className="document" tabIndex={0} aria-label={w.document(settings.version)}>
            <code>{JSON.stringify(settings.document, null, 2)}</code>
          </pre>
        </details>
      )}
    </section>
  );
}
