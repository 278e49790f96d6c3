// The API client: one session per tab. The access token lives in memory only;
// the refresh token in localStorage so that a reload keeps the user signed
// in. A 401 triggers one refresh (shared by every request waiting on it: the
// server rotates refresh tokens, so two parallel refreshes would sign the user
// out) and the request is sent again once.

export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  // Which members of the request were wrong, as JSON pointers ("/email").
  invalid_params?: { name: string; reason: string }[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

interface TokenAnswer {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

const REFRESH_KEY = "citypulse.refresh";

type Listener = (signedIn: boolean) => void;

class Session {
  private access: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  private listeners = new Set<Listener>();

  get signedIn(): boolean {
    return this.access !== null || localStorage.getItem(REFRESH_KEY) !== null;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async login(email: string, password: string): Promise<void> {
    const answer = await request<TokenAnswer>("/api/v1/auth/login", {
      method: "POST",
      body: JSON.stringify({ email, password }),
    });
    this.keep(answer);
  }

  async logout(): Promise<void> {
    const refresh = localStorage.getItem(REFRESH_KEY);
    try {
      if (this.access && refresh)
        await request("/api/v1/auth/logout", {
          method: "POST",
          body: JSON.stringify({ refresh_token: refresh }),
          headers: { Authorization: `Bearer ${this.access}` },
        });
    } finally {
      this.forget();
    }
  }

  // An access token for the realtime API: the one held, else a fresh one.
  async token(fresh = false): Promise<string> {
    if ((fresh || !this.access) && !(await this.refresh())) throw signedOut();
    return this.access!;
  }

  // A request with the access token, refreshed once when it has expired.
  async call<T>(path: string, init: RequestInit = {}): Promise<T> {
    if (!this.access && !(await this.refresh())) throw signedOut();
    try {
      return await request<T>(path, withToken(init, this.access!));
    } catch (e) {
      if (!(e instanceof ApiError) || e.problem.status !== 401) throw e;
      if (!(await this.refresh())) throw signedOut();
      return request<T>(path, withToken(init, this.access!));
    }
  }

  private refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      const token = localStorage.getItem(REFRESH_KEY);
      if (!token) return false;
      try {
        this.keep(
          await request<TokenAnswer>("/api/v1/auth/refresh", {
            method: "POST",
            body: JSON.stringify({ refresh_token: token }),
          }),
        );
        return true;
      } catch {
        this.forget();
        return false;
      }
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private keep(answer: TokenAnswer): void {
    this.access = answer.access_token;
    localStorage.setItem(REFRESH_KEY, answer.refresh_token);
    this.listeners.forEach((l) => l(true));
  }

  private forget(): void {
    this.access = null;
    localStorage.removeItem(REFRESH_KEY);
    this.listeners.forEach((l) => l(false));
  }
}

function signedOut(): ApiError {
  return new ApiError({ title: "Unauthorized", status: 401, detail: "signed out" });
}

function withToken(init: RequestInit, token: string): RequestInit {
  return { ...init, headers: { ...(init.headers ?? {}), Authorization: `Bearer ${token}` } };
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
  // JSON unless the caller says otherwise (an iCalendar file, say).
  if (init.body && !Object.keys(headers).some((k) => k.toLowerCase() === "content-type"))
    headers["Content-Type"] = "application/json";
  const response = await fetch(path, { ...init, headers });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const body = text ? JSON.parse(text) : undefined;
  if (!response.ok)
    throw new ApiError(body?.title ? body : { title: response.statusText, status: response.status });
  return body as T;
}

export const session = new Session();
