// A Modbus TCP register map as the editor holds it, and the calls it makes
// (docs/drivers.md; the rules live in src/drivers/modbus/register_map.h):
// the map as typed (every number still the text in its field, so that the
// server, not the browser, judges it and names the field it refuses), the
// driver document made from it, "read now" and saving.

import { session } from "../../api/client";
import type { DriverSettings } from "./bacnetApi";

export const TABLES = ["holding", "input", "coil", "discrete"] as const;
export const TYPES = ["int16", "uint16", "int32", "uint32", "float32", "float64", "bool"] as const;
export const ORDERS = ["big", "little"] as const;

export type Table = (typeof TABLES)[number];

export interface PointRow {
  key: number; // the row's identity in the editor, never sent
  channel: string;
  table: Table;
  address: string;
  type: string;
  word_order: string;
  byte_order: string;
  scale: string;
  offset: string;
  bit: string;
  group: string;
  writable: boolean;
}

export interface GroupRow {
  key: number;
  name: string;
  interval_ms: string;
}

export interface MapDraft {
  host: string;
  port: string;
  unit_id: string;
  timeout_ms: string;
  retries: string;
  max_gap: string;
  groups: GroupRow[];
  points: PointRow[];
}

let nextKey = 1;
export function newKey(): number {
  return nextKey++;
}

// Coils and discrete inputs hold one bit each: no type, orders or scale.
export function holdsBits(table: string): boolean {
  return table === "coil" || table === "discrete";
}

export function newPoint(group: string): PointRow {
  return {
    key: newKey(), channel: "", table: "holding", address: "0", type: "uint16", word_order: "big",
    byte_order: "big", scale: "", offset: "", bit: "", group, writable: false,
  };
}

export function emptyDraft(): MapDraft {
  return {
    host: "", port: "502", unit_id: "1", timeout_ms: "1000", retries: "1", max_gap: "8",
    groups: [{ key: newKey(), name: "default", interval_ms: "60000" }],
    points: [],
  };
}

const text = (v: unknown, fallback = ""): string => (v === undefined || v === null ? fallback : String(v));

// The editor's rows from a stored document (read back as the server wrote it).
export function draftOf(document: Record<string, unknown>): MapDraft {
  const d = document as Record<string, any>;
  const groups: GroupRow[] = (d.groups ?? []).map((g: any) => ({
    key: newKey(), name: text(g.name), interval_ms: text(g.interval_ms),
  }));
  return {
    host: text(d.host), port: text(d.port, "502"), unit_id: text(d.unit_id, "1"),
    timeout_ms: text(d.timeout_ms, "1000"), retries: text(d.retries, "1"), max_gap: text(d.max_gap, "8"),
    groups,
    points: (d.points ?? []).map((p: any) => ({
      key: newKey(), channel: text(p.channel), table: (p.table ?? "holding") as Table, address: text(p.address),
      type: text(p.type, holdsBits(p.table) ? "bool" : "uint16"), word_order: text(p.word_order, "big"),
      byte_order: text(p.byte_order, "big"),
      // The server writes the defaults out; 1 and 0 read better as "none".
      scale: p.scale === undefined || p.scale === 1 ? "" : text(p.scale),
      offset: p.offset === undefined || p.offset === 0 ? "" : text(p.offset),
      bit: text(p.bit), group: text(p.group, groups[0]?.name ?? ""), writable: p.writable === true,
    })),
  };
}

// A number as typed: a number when it reads as one, else the text itself,
// so that the server refuses it naming the field rather than the browser
// dropping it silently. Empty: left out (the document's default).
function typed(value: string): number | string | undefined {
  const v = value.trim();
  if (v === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : v;
}

function put(target: Record<string, unknown>, name: string, value: unknown) {
  if (value !== undefined) target[name] = value;
}

// The driver document of the draft (register_map.h): only what applies to
// each point's table and type.
export function documentOf(draft: MapDraft): Record<string, unknown> {
  const doc: Record<string, unknown> = { host: draft.host.trim() };
  for (const name of ["port", "unit_id", "timeout_ms", "retries", "max_gap"] as const)
    put(doc, name, typed(draft[name]));
  doc.groups = draft.groups.map((g) => ({ name: g.name.trim(), interval_ms: typed(g.interval_ms) }));
  doc.points = draft.points.map((p) => {
    const point: Record<string, unknown> = { channel: p.channel.trim(), table: p.table, address: typed(p.address) };
    if (!holdsBits(p.table)) {
      point.type = p.type;
      if (p.type === "bool") put(point, "bit", typed(p.bit));
      else {
        point.word_order = p.word_order;
        point.byte_order = p.byte_order;
        put(point, "scale", typed(p.scale));
        put(point, "offset", typed(p.offset));
      }
    }
    put(point, "group", p.group || undefined);
    point.writable = p.writable;
    return point;
  });
  return doc;
}

export interface ChannelRead {
  channel: string;
  value?: number;
  raw?: string;
  error?: string;
}

export interface ReadAnswer {
  channels: ChannelRead[];
  read_at: string | null;
  elapsed_ms: number;
  requests: number;
}

// Every channel of `document` (unsaved) read once, now, from the device.
export function readNow(device: number, document: Record<string, unknown>): Promise<ReadAnswer> {
  return session.call(`/api/v1/devices/${device}/driver/read`, {
    method: "POST",
    body: JSON.stringify({ document }),
  });
}

// Stores the document; `version` (the one edited) guards against a change
// made meanwhile (412), none for a device without a document yet.
export function saveDriver(device: number, document: Record<string, unknown>, version?: number): Promise<DriverSettings> {
  return session.call(`/api/v1/devices/${device}/driver`, {
    method: "PUT",
    body: JSON.stringify(document),
    headers: version === undefined ? {} : { "If-Match": `"${version}"` },
  });
}

// The draft's field a problem names, as the path the inputs carry
// ("/document/points/3/address" of read now and "/points/3/address" of a
// save are both "/points/3/address").
export function fieldOf(pointer: string | undefined): string | null {
  if (!pointer) return null;
  const path = pointer.replace(/^\/document(?=\/|$)/, "");
  return path === "" ? "/" : path;
}
