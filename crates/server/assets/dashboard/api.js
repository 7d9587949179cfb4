// The dashboard's only way to the server: the public API, with the key the user signed in
// with, sent as `Authorization` (never in a URL, never in a cookie).

const KEY = "wagate.key";

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error || `the server answered ${status}`);
    this.status = status;
    this.code = body?.code;
    this.details = body?.details || [];
  }
}

export const session = {
  get key() { return sessionStorage.getItem(KEY); },
  set key(value) {
    if (value) sessionStorage.setItem(KEY, value); else sessionStorage.removeItem(KEY);
  },
};

function headers(extra = {}) {
  return { Authorization: `Bearer ${session.key}`, ...extra };
}

/** A JSON request; answers the envelope's `data` (or the whole body when it has none). */
export async function api(method, path, body, extra = {}) {
  const init = { method, headers: headers(extra) };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  const response = await fetch(path, init);
  if (response.status === 204) return null;
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = { error: text }; }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed && "data" in parsed ? parsed.data : parsed;
}

/** The whole body, for answers with more than `data` (paging). */
export async function apiPage(path) {
  const response = await fetch(path, { headers: headers() });
  const body = await response.json();
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

/**
 * Follows `GET /api/v1/events/stream` with the key in a header (EventSource cannot send
 * one), calling `onEvent(envelope)` for each event; reconnects after a drop, resuming from
 * the last event seen. Answers a function that stops it.
 */
export function follow(query, onEvent, onState = () => {}) {
  let stopped = false;
  let controller = null;
  let after = null;
  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const params = new URLSearchParams(query);
        if (after !== null) params.set("after", after);
        const response = await fetch(`/api/v1/events/stream?${params}`, {
          headers: headers({ Accept: "text/event-stream" }),
          signal: controller.signal,
        });
        if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
        onState("live");
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = frame.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart()).join("\n");
            if (!data) continue;
            const envelope = JSON.parse(data);
            if (envelope.seq !== undefined) after = envelope.seq;
            onEvent(envelope);
          }
        }
      } catch (error) {
        if (stopped) return;
        onState(error instanceof ApiError && error.status === 401 ? "refused" : "reconnecting");
        if (error instanceof ApiError && error.status === 401) return;
      }
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };
  run();
  return () => { stopped = true; controller?.abort(); };
}
