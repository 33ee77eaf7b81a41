// The page's access to the API server: fetch with the tab's bearer token, and informers (list, then watch from
// the list's resourceVersion, relist on 410 Gone) as client-go's reflector does.

const TOKEN_KEY = 'kube-emulator.token';
const PAGE_SIZE = 1000;
const WATCH_TIMEOUT_SECONDS = 300;

/** The bearer token lives in this tab only (sessionStorage): never in a cookie, never in localStorage. */
export const auth = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
    const waiters = auth.waiters.splice(0);
    for (const w of waiters) w();
  },
  /** Called when the server answers 401: the page asks for a token. */
  onUnauthorized: () => {},
  waiters: [],
  /** Resolves when a (new) token is entered. */
  changed() {
    return new Promise((resolve) => auth.waiters.push(resolve));
  },
};

export class HttpError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** fetch() against the API server with the token; non-2xx answers throw HttpError (401 also asks for a token). */
export async function api(path, init = {}) {
  const headers = { Accept: 'application/json', ...(init.headers ?? {}) };
  const token = auth.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(path, { ...init, headers });
  if (res.ok) return res;
  let body;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (res.status === 401) auth.onUnauthorized();
  throw new HttpError(res.status, body);
}

export async function getJSON(path, signal) {
  return (await api(path, { signal })).json();
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

/**
 * Keeps the objects of one collection: `onReset(items)` after every (re)list, `onEvent(type, obj)` for every
 * ADDED/MODIFIED/DELETED of the watch, `onState(state, error)` with 'listing' | 'watching' | 'error'.
 */
export class Informer {
  constructor(path, params, handlers) {
    this.path = path;
    this.params = params;
    this.handlers = handlers;
    this.abort = new AbortController();
    this.run();
  }

  stop() {
    this.abort.abort();
  }

  state(s, err) {
    if (!this.abort.signal.aborted) this.handlers.onState?.(s, err);
  }

  async list(signal) {
    const items = [];
    let cont = '';
    let rv = '';
    do {
      const page = await getJSON(this.path + query({ ...this.params, limit: PAGE_SIZE, continue: cont }), signal);
      for (const it of page.items ?? []) items.push(it);
      cont = page.metadata?.continue ?? '';
      if (!rv) rv = page.metadata?.resourceVersion ?? '';
    } while (cont);
    return { items, rv };
  }

  async run() {
    const signal = this.abort.signal;
    let backoff = 500;
    while (!signal.aborted) {
      try {
        this.state('listing');
        const { items, rv: listed } = await this.list(signal);
        if (signal.aborted) return;
        this.handlers.onReset(items);
        let rv = listed;
        backoff = 500;
        // Watch from where the list (or the last event) left off, again and again, until the server says 410.
        for (;;) {
          this.state('watching');
          const res = await api(
            this.path +
              query({
                ...this.params,
                watch: 1,
                resourceVersion: rv,
                allowWatchBookmarks: true,
                timeoutSeconds: WATCH_TIMEOUT_SECONDS,
              }),
            { signal },
          );
          const gone = await this.consume(res, signal, (r) => {
            rv = r;
          });
          if (gone || signal.aborted) break;
        }
      } catch (err) {
        if (signal.aborted) return;
        this.state('error', err);
        if (err instanceof HttpError && err.status === 401) {
          await Promise.race([auth.changed(), sleep(60_000, signal)]);
          continue;
        }
        if (err instanceof HttpError && err.status === 410) continue; // relist at once
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  /** Reads one watch response line by line; true when the server said 410 Gone (the caller relists). */
  async consume(res, signal, setRV) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return false;
        buf += decoder.decode(value, { stream: true });
        let nl = buf.indexOf('\n');
        while (nl >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          nl = buf.indexOf('\n');
          if (!line) continue;
          const ev = JSON.parse(line);
          if (ev.type === 'ERROR') {
            if (ev.object?.code === 410) return true;
            throw new HttpError(ev.object?.code ?? 500, ev.object);
          }
          const rv = ev.object?.metadata?.resourceVersion;
          if (rv) setRV(rv);
          if (ev.type !== 'BOOKMARK' && !signal.aborted) this.handlers.onEvent(ev.type, ev.object);
        }
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  }
}
