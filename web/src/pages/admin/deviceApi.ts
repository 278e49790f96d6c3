// The device API as the devices section uses it (docs/api.md, docs/ingest.md):
// the records, their counters and credentials, and the calls that load them.

import { session } from "../../api/client";

export interface Device {
  id: number;
  name: string;
  building_id: number | null;
  protocol: string;
  status: string;
  role: string;
  vendor: string;
  model: string;
  serial: string;
}

export interface BuildingRef {
  id: number;
  name: string;
}

export interface Activity {
  device_id: number;
  last_seen_at: string | null;
  messages: number;
  readings: number;
  rejected: number;
}

export interface Credential {
  id: number;
  device_id: number;
  kind: "token" | "basic" | "certificate";
  name: string;
  hint?: string;
  username?: string;
  client_id?: string | null;
  fingerprint?: string | null;
  cn?: string | null;
  created_at: string;
  revoked: boolean;
}

// What the server shows once, when it made a secret: the token of a token
// credential, the password it made for a basic one.
export interface IssuedCredential extends Credential {
  token?: string;
  password?: string;
}

// The vocabularies the server accepts (src/model/vocabulary.cpp).
export const PROTOCOLS = ["mqtt", "http", "lorawan", "modbus_tcp", "bacnet_ip", "http_poll"] as const;
export const STATUSES = ["provisioning", "active", "disabled"] as const;
export const ROLES = ["device", "gateway"] as const;
export const CREDENTIAL_KINDS = ["token", "basic", "certificate"] as const;

interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

// Every record of a collection: one call up to the server's page limit of
// 1000, further pages only for larger towns.
async function everything<T>(collection: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null | undefined;
  do {
    const page: Page<T> = await session.call<Page<T>>(
      `/api/v1/${collection}?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

export function loadDevices(): Promise<Device[]> {
  return everything<Device>("devices");
}

export function loadBuildings(): Promise<BuildingRef[]> {
  return everything<BuildingRef>("buildings");
}

// Every visible device's counters in one call, keyed by device id.
export async function loadActivity(): Promise<Map<number, Activity>> {
  const answer = await session.call<Page<Activity>>("/api/v1/devices/activity");
  return new Map(answer.items.map((a) => [a.device_id, a]));
}

export function createDevice(body: Record<string, unknown>): Promise<Device> {
  return session.call<Device>("/api/v1/devices", { method: "POST", body: JSON.stringify(body) });
}

export async function loadCredentials(device: number): Promise<Credential[]> {
  return (await session.call<Page<Credential>>(`/api/v1/devices/${device}/credentials`)).items;
}

export function issueCredential(device: number, body: Record<string, unknown>): Promise<IssuedCredential> {
  return session.call<IssuedCredential>(`/api/v1/devices/${device}/credentials`, {
    method: "POST",
    body: JSON.stringify(body),
  });
}

export function revokeCredential(device: number, credential: number): Promise<void> {
  return session.call<void>(`/api/v1/devices/${device}/credentials/${credential}`, { method: "DELETE" });
}
