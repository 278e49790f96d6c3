import { useState, type FormEvent } from "react";

import { ApiError } from "../../api/client";
import type { Words } from "../../i18n";
import { createDevice, PROTOCOLS, ROLES, STATUSES, type BuildingRef, type Device } from "./deviceApi";
import { deviceWords } from "./deviceWords";

// A new device with the fields POST /api/v1/devices takes from people
// (channels, tags and MQTT topics are for the API: a provisioning device
// gets its points from what it sends). Only rendered for assets:write.
export function DeviceCreate({ t, buildings, onCreated }: {
  t: Words;
  buildings: BuildingRef[];
  onCreated: (device: Device) => void;
}) {
  const w = deviceWords(t);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    const body: Record<string, unknown> = {
      name: String(data.get("name")).trim(),
      protocol: data.get("protocol"),
      status: data.get("status"),
      role: data.get("role"),
    };
    const building = String(data.get("building_id") ?? "");
    if (building) body.building_id = Number(building);
    for (const field of ["vendor", "model", "serial"]) {
      const value = String(data.get(field) ?? "").trim();
      if (value) body[field] = value;
    }
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const device = await createDevice(body);
      form.reset();
      setDone(w.created(device.name));
      onCreated(device);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <details className="create">
      <summary>{w.newDevice}</summary>
      <form onSubmit={submit} aria-label={w.newDevice}>
        <label>
          {t.name}
          <input name="name" required maxLength={200} />
        </label>
        <label>
          {w.building}
          <select name="building_id" defaultValue="">
            <option value="">{w.noBuilding}</option>
            {buildings.map((b) => <option key={b.id} value={String(b.id)}>{b.name}</option>)}
          </select>
        </label>
        <label>
          {w.protocol}
          <select name="protocol" defaultValue="http" required>
            {PROTOCOLS.map((p) => <option key={p} value={p}>{w.protocols[p]}</option>)}
          </select>
        </label>
        <label>
          {w.status}
          <select name="status" defaultValue="provisioning">
            {STATUSES.map((s) => <option key={s} value={s}>{w.statuses[s]}</option>)}
          </select>
        </label>
        <label>
          {w.role}
          <select name="role" defaultValue="device">
            {ROLES.map((r) => <option key={r} value={r}>{w.roles[r]}</option>)}
          </select>
        </label>
        <label>
          {w.vendor}
          <input name="vendor" maxLength={200} />
        </label>
        <label>
          {w.model}
          <input name="model" maxLength={200} />
        </label>
        <label>
          {w.serial}
          <input name="serial" maxLength={200} />
        </label>
        <button type="submit" disabled={busy}>{w.create}</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      {done && <p role="status">{done}</p>}
    </details>
  );
}
