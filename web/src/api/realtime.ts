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

type Handler = (values: Value[]) => void;

interface Subscription {
  points?: number[];
  buildings?: number[];
  handler: Handler;
}

class Realtime {
  private socket: WebSocket | null = null;
  private subscriptions = new Map<string, Subscription>();
  private nextId = 1;
  private retryMs = 500;
  private renewTimer: number | undefined;

  subscribe(what: { points?: number[]; buildings?: number[] }, handler: Handler): () => void {
    const id = `s${this.nextId++}`;
    this.subscriptions.set(id, { ...what, handler });
    if (this.socket?.readyState === WebSocket.OPEN) this.send({ type: "subscribe", id, ...what });
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

  private receive(message: Record<string, unknown>): void {
    switch (message.type) {
      case "authenticated": {
        this.retryMs = 500;
        this.scheduleRenewal(message.expires_at as string | null);
        for (const [id, s] of this.subscriptions)
          this.send({ type: "subscribe", id, points: s.points, buildings: s.buildings });
        break;
      }
      case "subscribed":
      case "readings": {
        const s = this.subscriptions.get(message.id as string);
        const values = (message.values as Value[] | undefined) ?? [];
        if (s) s.handler(values);
        else this.subscriptions.forEach((sub) => sub.handler(values));
        break;
      }
      case "resync":
        for (const [id, s] of this.subscriptions)
          this.send({ type: "subscribe", id, points: s.points, buildings: s.buildings });
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
