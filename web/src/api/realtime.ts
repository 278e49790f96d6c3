// The realtime API (docs/realtime.md) for the pages: one WebSocket a tab,
// signed in with the session's access token (renewed before it expires),
// subscriptions by id, and after a lost connection (with backoff) a new one
// that subscribes again: fresh snapshots rather than a replay.

import { session } from "./client";

export interface Value {
  point: number;
  t: number;
  value: number;
  quality: number;
}

// What a page hears: the snapshot of its subscription (again after a
// reconnection), then readings and events as they come.
export interface Listener {
  snapshot?: (message: Record<string, unknown>) => void;
  values?: (values: Value[]) => void;
  event?: (kind: string, details: Record<string, unknown>) => void;
}

interface Subscription {
  request: Record<string, unknown>;
  listener: Listener;
}

class Realtime {
  private socket: WebSocket | null = null;
  private subscriptions = new Map<string, Subscription>();
  private nextId = 1;
  private retryMs = 500;
  private renewTimer: number | undefined;

  // request: {points}, {buildings}, {alarms: {...}} or {events: [...]}.
  subscribe(request: Record<string, unknown>, listener: Listener): () => void {
    const id = `s${this.nextId++}`;
    this.subscriptions.set(id, { request, listener });
    if (this.socket?.readyState === WebSocket.OPEN) this.send({ type: "subscribe", id, ...request });
    else this.connect();
    return () => {
      this.subscriptions.delete(id);
      if (this.socket?.readyState === WebSocket.OPEN) this.send({ type: "unsubscribe", id });
    };
  }

  private connect(): void {
    if (this.socket) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/api/v1/ws`);
    this.socket = socket;
    socket.onopen = async () => {
      try {
        this.send({ type: "auth", token: await session.token() });
      } catch {
        socket.close();
      }
    };
    socket.onmessage = (e) => this.receive(JSON.parse(e.data as string));
    socket.onclose = () => {
      this.socket = null;
      window.clearTimeout(this.renewTimer);
      if (this.subscriptions.size === 0 || !session.signedIn) return;
      window.setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 15_000);
    };
  }

  private subscribeAll(): void {
    for (const [id, s] of this.subscriptions) this.send({ type: "subscribe", id, ...s.request });
  }

  private receive(message: Record<string, unknown>): void {
    switch (message.type) {
      case "authenticated":
        this.retryMs = 500;
        this.scheduleRenewal(message.expires_at as string | null);
        this.subscribeAll();
        break;
      case "subscribed": {
        const s = this.subscriptions.get(message.id as string);
        s?.listener.snapshot?.(message);
        if (Array.isArray(message.values)) s?.listener.values?.(message.values as Value[]);
        break;
      }
      case "readings":  // the server sends only what some subscription asked for
        this.subscriptions.forEach((s) => s.listener.values?.(message.values as Value[]));
        break;
      case "event":
        this.subscriptions.forEach((s) =>
          s.listener.event?.(message.kind as string, message.details as Record<string, unknown>),
        );
        break;
      case "resync":
        this.subscribeAll();
        break;
    }
  }

  private scheduleRenewal(expiresAt: string | null): void {
    window.clearTimeout(this.renewTimer);
    if (!expiresAt) return;
    const inMs = Date.parse(expiresAt) - Date.now() - 30_000;
    this.renewTimer = window.setTimeout(async () => {
      try {
        this.send({ type: "auth", token: await session.token(true) });
      } catch {
        this.socket?.close();
      }
    }, Math.max(1_000, inMs));
  }

  private send(message: object): void {
    this.socket?.send(JSON.stringify(message));
  }
}

export const realtime = new Realtime();
