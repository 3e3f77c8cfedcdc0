// The API client: every call carries the signed-in user's token (kept in
// sessionStorage, so it is gone when the tab closes). The UI shows only
// what the API returns for that token.

const TOKEN = "lodestone.token";

export function token(): string | null {
  return sessionStorage.getItem(TOKEN);
}

export function setToken(t: string | null): void {
  if (t) sessionStorage.setItem(TOKEN, t);
  else sessionStorage.removeItem(TOKEN);
}

export class ApiError extends Error {
  constructor(
    public status: number,
    message: string,
    public problems: string[] = [],
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(f: () => void): void {
  onUnauthorized = f;
}

export async function api<T = any>(path: string, init: RequestInit = {}, tok: string | null = token()): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (tok) headers["Authorization"] = `Bearer ${tok}`;
  if (init.body) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { ...init, headers: { ...headers, ...(init.headers as any) } });
  let body: any = null;
  try {
    body = await r.json();
  } catch {
    body = null;
  }
  if (!r.ok) {
    if (r.status === 401 && tok === token()) onUnauthorized();
    throw new ApiError(r.status, body?.error ?? `HTTP ${r.status}`, body?.problems ?? []);
  }
  return body as T;
}

export const get = <T = any>(path: string) => api<T>(path);
export const post = <T = any>(path: string, body: unknown) => api<T>(path, { method: "POST", body: JSON.stringify(body) });

/** Cached GETs for the dataset views (the dataset does not change while
 * the server runs). */
const cache = new Map<string, Promise<any>>();
export function cached<T = any>(path: string): Promise<T> {
  let p = cache.get(path);
  if (!p) {
    p = get<T>(path);
    p.catch(() => cache.delete(path));
    cache.set(path, p);
  }
  return p;
}
export function clearCache(): void {
  cache.clear();
}

export interface Job {
  id: string;
  kind: string;
  label?: string;
  status: string;
  progress: number;
  user: string;
  created_at: string;
  updated_at: string;
  error: string | null;
  result: any;
}

/** Polls a job until it is done, failed or cancelled, calling `onProgress`
 * with each state. */
export async function waitJob(id: string, onProgress: (j: Job) => void, everyMs = 250): Promise<Job> {
  for (;;) {
    const j = await get<Job>(`/api/v1/jobs/${encodeURIComponent(id)}`);
    onProgress(j);
    if (j.status === "done" || j.status === "failed" || j.status === "cancelled") return j;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Jobs this tab started (the server's own job list is used when it has one). */
const MINE = "lodestone.jobs";
export function rememberJob(j: { id: string; kind: string; label: string }): void {
  const list = myJobs().filter((x) => x.id !== j.id);
  list.unshift(j);
  sessionStorage.setItem(MINE, JSON.stringify(list.slice(0, 50)));
}
export function myJobs(): { id: string; kind: string; label: string }[] {
  try {
    return JSON.parse(sessionStorage.getItem(MINE) ?? "[]");
  } catch {
    return [];
  }
}
