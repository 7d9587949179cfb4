// The dashboard: a page per section of the public API, chosen by the URL's hash. Every
// number shown comes from the same routes and the same key an API client would use.

import { api, apiPage, ApiError, follow, session } from "/dashboard/api.js";
import { apiForm, badge, errorLine, field, h, table, toast, when } from "/dashboard/ui.js";

const view = document.getElementById("view");
const signIn = document.getElementById("sign-in");
let role = null; // "admin" or "account"
let stopStream = null;

// --- signing in -------------------------------------------------------------------------

async function whoAmI() {
  try {
    await api("GET", "/api/v1/accounts");
    return { role: "admin", label: "Admin" };
  } catch (error) {
    if (!(error instanceof ApiError) || error.status === 401) throw error;
  }
  const me = await api("GET", "/api/v1/auth/me");
  return { role: "account", label: me.name ?? me.account?.name ?? "account" };
}

async function start() {
  if (!session.key) return showSignIn();
  try {
    const me = await whoAmI();
    role = me.role;
    document.getElementById("who").textContent = `Signed in: ${me.label}`;
    document.getElementById("nav").hidden = false;
    document.getElementById("sign-out").hidden = false;
    // The admin key manages accounts; their instances and traffic are seen with their keys.
    for (const link of document.querySelectorAll("nav a")) {
      link.hidden = link.hasAttribute("data-admin") ? role !== "admin" : role === "admin";
    }
    signIn.hidden = true;
    view.hidden = false;
    if (!location.hash) location.hash = role === "admin" ? "#/accounts" : "#/instances";
    route();
  } catch (error) {
    session.key = null;
    showSignIn(error instanceof ApiError && error.status === 401
      ? "That key was refused: it is wrong, revoked or expired."
      : `The server could not be reached: ${error.message}`);
  }
}

function showSignIn(message = "") {
  stopStream?.();
  signIn.hidden = false;
  view.hidden = true;
  document.getElementById("nav").hidden = true;
  document.getElementById("sign-out").hidden = true;
  document.getElementById("who").textContent = "";
  document.getElementById("sign-in-error").textContent = message;
  document.getElementById("key").focus();
}

document.getElementById("sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  session.key = document.getElementById("key").value.trim();
  document.getElementById("key").value = "";
  start();
});
document.getElementById("sign-out").addEventListener("click", () => {
  session.key = null;
  location.hash = "";
  showSignIn();
});

// --- routing ----------------------------------------------------------------------------

const pages = {
  overview: overviewPage,
  instances: instancesPage,
  link: linkPage,
  send: sendPage,
  messages: messagesPage,
  message: messagePage,
  events: eventsPage,
  webhooks: webhooksPage,
  webhook: webhookPage,
  keys: keysPage,
  accounts: accountsPage,
};

async function route() {
  if (!session.key) return;
  stopStream?.();
  stopStream = null;
  const [name, ...args] = location.hash.replace(/^#\//, "").split("/").map(decodeURIComponent);
  const page = pages[name] || pages.instances;
  for (const link of document.querySelectorAll("nav a")) {
    link.toggleAttribute("aria-current", link.getAttribute("href") === `#/${name}`);
    if (link.hasAttribute("aria-current")) link.setAttribute("aria-current", "page");
  }
  view.replaceChildren(h("p", { class: "muted" }, "Loading…"));
  try {
    await page(...args);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      session.key = null;
      return showSignIn("The key stopped working (revoked or expired); sign in again.");
    }
    view.replaceChildren(h("div", { class: "card" }, h("h1", {}, "Something went wrong"),
      h("p", { class: "error", role: "alert" }, error.message)));
  }
  document.getElementById("main").focus();
}
window.addEventListener("hashchange", route);

function page(title, ...children) {
  view.replaceChildren(h("h1", {}, title), ...children);
}

function live(query, onEvent) {
  stopStream?.();
  const state = h("span", { class: "muted", "aria-live": "polite" }, "connecting to the event stream…");
  stopStream = follow(query, onEvent, (s) => {
    state.textContent = s === "live" ? "live" : s === "refused" ? "the key was refused" : "reconnecting…";
  });
  return state;
}

// --- overview ---------------------------------------------------------------------------

async function overviewPage() {
  const [summary, instances, queued, webhooks] = await Promise.all([
    api("GET", "/api/v1/analytics/summary"),
    api("GET", "/api/v1/instances"),
    apiPage("/api/v1/messages?status=queued&limit=1"),
    api("GET", "/api/v1/webhooks").catch(() => []),
  ]);
  const open = instances.filter((i) => i.status === "open").length;
  const max = Math.max(1, ...summary.series.map((d) => d.total));
  const bar = (day, status) => {
    const n = day.byStatus[status] || 0;
    const element = h("div", { class: `bar-${status}`, title: `${status}: ${n}` });
    // Through the CSSOM: the page's Content-Security-Policy refuses style attributes.
    element.style.height = `${(n / max) * 120}px`;
    return element;
  };
  const failing = webhooks.filter((w) => w.failingSince || !w.enabled).length;
  const waiting = webhooks.reduce((sum, w) => sum + (w.pendingDeliveries || 0), 0);
  page("Overview",
    h("div", { class: "card" },
      h("p", {}, `${open} of ${instances.length} instances connected · ${queued.pagination?.total ?? 0} sends queued now · ${webhooks.length} webhooks, ${waiting} deliveries waiting${failing ? `, ${failing} failing or disabled` : ""}`),
      h("h2", {}, `Messages, last ${summary.series.length} days: ${summary.total} (delivery rate ${Math.round(summary.deliveryRate * 100)} %)`),
      h("div", { class: "chart", role: "img", "aria-label": "Delivered, read and failed messages per day" },
        summary.series.map((day) => h("div", { class: "day", title: day.date }, bar(day, "delivered"), bar(day, "read"), bar(day, "failed")))),
      h("p", { class: "legend" },
        h("span", {}, h("i", { class: "bar-delivered" }), "delivered"),
        h("span", {}, h("i", { class: "bar-read" }), "read"),
        h("span", {}, h("i", { class: "bar-failed" }), "failed"))));
}

// --- instances --------------------------------------------------------------------------

async function instancesPage() {
  const list = h("div");
  const refresh = async () => {
    const instances = await api("GET", "/api/v1/instances");
    list.replaceChildren(table(["Name", "Engine", "Status", "Number", "Actions"], instances.map(instanceRow),
      "No instances yet: create one below, then link it to a WhatsApp number."));
  };
  const state = live({ events: "session.status,session.connected,session.logged_out,instance.created,instance.deleted,session.paused,session.resumed" }, () => refresh());
  await refresh();
  page("Instances", h("p", {}, state), h("div", { class: "card" }, list), createInstanceForm(refresh));
}

function instanceRow(instance) {
  const name = encodeURIComponent(instance.name);
  const act = (label, method, path, confirmText, cls = "quiet") => h("button", {
    type: "button", class: cls,
    onclick: async () => {
      if (confirmText && !confirm(confirmText)) return;
      try { await api(method, path); toast(`${label}: done`); route(); } catch (error) { toast(error.message); }
    },
  }, label);
  const holds = [instance.pausedUntil && `paused until ${when(instance.pausedUntil)}`,
    instance.cappedUntil && `capped until ${when(instance.cappedUntil)}`].filter(Boolean);
  return h("tr", { "data-instance": instance.name },
    h("td", {}, instance.name),
    h("td", {}, instance.engine),
    h("td", {}, badge(instance.status), holds.length ? h("div", { class: "muted" }, holds.join(", ")) : null,
      instance.statusReason ? h("div", { class: "muted" }, instance.statusReason) : null),
    h("td", {}, instance.me ? `+${instance.me.phone} ${instance.me.pushName ? `(${instance.me.pushName})` : ""}` : "—"),
    h("td", {},
      instance.status === "open"
        ? h("a", { href: `#/send/${name}` }, "Send a test message")
        : h("a", { href: `#/link/${name}` }, "Link"),
      " ",
      act("Restart", "POST", `/api/v1/instances/${name}/restart`),
      act("Log out", "POST", `/api/v1/instances/${name}/logout`, `Log ${instance.name} out of WhatsApp?`),
      act("Delete", "DELETE", `/api/v1/instances/${name}`, `Delete ${instance.name} and its messages?`, "danger")));
}

function createInstanceForm(refresh) {
  const name = h("input", { id: "new-instance-name", required: true, placeholder: "sales" });
  const engine = h("select", { id: "new-instance-engine" },
    h("option", { value: "web" }, "WhatsApp Web (QR code or pairing code)"),
    h("option", { value: "sandbox" }, "Sandbox (simulated WhatsApp, for testing)"),
    h("option", { value: "cloud" }, "Meta Cloud API (your own credentials)"));
  const token = h("input", { id: "cloud-token", type: "password", autocomplete: "off" });
  const phoneId = h("input", { id: "cloud-phone-id" });
  const secret = h("input", { id: "cloud-secret", type: "password", autocomplete: "off" });
  const cloud = h("div", { hidden: true }, h("div", { class: "row" },
    field("Access token", token), field("Phone number id", phoneId), field("App secret", secret)));
  engine.addEventListener("change", () => { cloud.hidden = engine.value !== "cloud"; });
  const shown = h("div");
  const form = apiForm({}, async () => {
    const body = { name: name.value.trim(), engine: engine.value };
    if (engine.value === "cloud") {
      body.cloud = { accessToken: token.value, phoneNumberId: phoneId.value, appSecret: secret.value || undefined };
    }
    const created = await api("POST", "/api/v1/instances", body);
    shown.replaceChildren(h("p", { class: "secret" }, `Instance key of ${created.name} (shown only now): `, h("code", {}, created.apiKey)));
    form.reset();
    await refresh();
  }, h("h2", {}, "New instance"), h("div", { class: "row" }, field("Name", name), field("Engine", engine)), cloud,
  h("button", { type: "submit" }, "Create"), shown);
  return h("div", { class: "card" }, form);
}

// --- linking ----------------------------------------------------------------------------

async function linkPage(name) {
  const path = `/api/v1/instances/${encodeURIComponent(name)}`;
  const instance = await api("GET", path);
  const image = h("img", { alt: `QR code to link ${name}: WhatsApp → Linked devices → Link a device`, hidden: true });
  const countdown = h("p", { class: "muted", "aria-live": "off" });
  const pairing = h("p", { class: "secret", hidden: true });
  const status = h("p", { "aria-live": "polite" });
  const error = errorLine();
  let code = null;
  let expiresAt = null;
  const timer = setInterval(() => {
    if (!document.body.contains(countdown)) return clearInterval(timer);
    if (!expiresAt) { countdown.textContent = ""; return; }
    const left = Math.max(0, Math.round((new Date(expiresAt) - Date.now()) / 1000));
    countdown.textContent = left ? `This code expires in ${left} s; a new one replaces it.` : "Waiting for the next code…";
  }, 500);
  let linked = false;
  const controls = h("div");
  const qrBox = h("div", { class: "qr" }, image, h("div", {},
    h("p", {}, "On the phone: WhatsApp → Settings → Linked devices → Link a device, then point it at the code."),
    countdown));
  const showQr = (qr) => {
    if (linked) return;
    code = qr.code;
    expiresAt = qr.expiresAt;
    image.src = qr.image;
    image.hidden = false;
    image.dataset.code = qr.code;
  };
  const connected = (me) => {
    linked = true;
    image.hidden = true;
    pairing.hidden = true;
    controls.hidden = true;
    qrBox.hidden = true;
    expiresAt = null;
    countdown.textContent = "";
    status.replaceChildren(badge("open"), ` Connected as +${me.phone}${me.pushName ? ` (${me.pushName})` : ""}. `,
      h("a", { href: `#/send/${encodeURIComponent(name)}` }, "Send a test message"));
  };
  const show = (answer) => {
    status.replaceChildren(badge(answer.status));
    if (answer.qr) showQr(answer.qr);
    if (answer.pairingCode) {
      pairing.hidden = false;
      pairing.textContent = `Pairing code: ${answer.pairingCode} — on the phone: WhatsApp → Linked devices → Link with phone number.`;
    }
    if (answer.me) connected(answer.me);
  };
  const connect = async (body) => {
    error.clear();
    try { show(await api("POST", `${path}/connect`, body)); } catch (e) { error.show(e); }
  };
  const state = live({ instance: instance.id, events: "qrcode.updated,session.connected,session.status" }, async (event) => {
    if (event.event === "qrcode.updated" && event.data.code) {
      try { showQr(await api("GET", `${path}/qr?format=base64`)); } catch { /* the code may have been scanned meanwhile */ }
    } else if (event.event === "session.connected") {
      connected(event.data.me);
    } else if (event.event === "session.status") {
      if (event.data.status !== "open") status.replaceChildren(badge(event.data.status), event.data.reason ? ` ${event.data.reason}` : "");
    }
  });
  const phone = h("input", { id: "pairing-phone", inputmode: "tel", placeholder: "+1 555 000 1111" });
  const scanPhone = h("input", { id: "sandbox-phone", inputmode: "tel", value: "15550001111" });
  const sandbox = instance.engine === "sandbox" ? h("div", { class: "card" },
    h("h2", {}, "Simulated phone"),
    field("Its number", scanPhone),
    h("button", {
      type: "button", id: "sandbox-scan",
      onclick: async () => {
        error.clear();
        try { await api("POST", "/api/v1/sandbox/link", { code, phone: scanPhone.value }); } catch (e) { error.show(e); }
      },
    }, "Scan with the simulated phone")) : null;
  page(`Link ${name}`,
    h("p", {}, state),
    h("div", { class: "card" },
      status,
      qrBox,
      pairing,
      controls,
      error));
  controls.append(
    h("button", { type: "button", onclick: () => connect(undefined) }, "Show a QR code"),
    h("form", {
      onsubmit: (event) => { event.preventDefault(); connect({ phoneNumber: phone.value }); },
    }, h("h2", {}, "Or link with a pairing code"), field("The phone's number", phone),
    h("button", { type: "submit", class: "quiet" }, "Get a pairing code")),
    sandbox);
  if (instance.status === "open" && instance.me) connected(instance.me);
  else await connect(undefined);
}

// --- a test send ------------------------------------------------------------------------

async function sendPage(name) {
  const path = `/api/v1/instances/${encodeURIComponent(name)}`;
  const instance = await api("GET", path);
  const to = h("input", { id: "send-to", required: true, inputmode: "tel", placeholder: "+1 555 000 2222" });
  const kind = h("select", { id: "send-type" },
    ["text", "image", "location", "poll"].map((k) => h("option", { value: k }, k)));
  const text = h("textarea", { id: "send-text" });
  const file = h("input", { id: "send-file", type: "file", accept: "image/*" });
  const lat = h("input", { id: "send-lat", inputmode: "decimal", value: "37.7749" });
  const lng = h("input", { id: "send-lng", inputmode: "decimal", value: "-122.4194" });
  const options = h("input", { id: "send-options", placeholder: "Yes, No" });
  const parts = {
    text: field("Text", text),
    image: h("div", {}, field("Image", file), field("Caption", h("input", { id: "send-caption" }))),
    location: h("div", { class: "row" }, field("Latitude", lat), field("Longitude", lng)),
    poll: h("div", {}, field("Question", h("input", { id: "send-question" })), field("Options, comma-separated", options)),
  };
  const holder = h("div", {}, parts.text);
  kind.addEventListener("change", () => holder.replaceChildren(parts[kind.value]));
  const result = h("div", { "aria-live": "polite" });
  let watching = null;
  const state = live({ instance: instance.id, events: "message.sent,message.status_updated,message.failed" }, async (event) => {
    if (watching && event.data.messageId === watching) showMessage(result, await api("GET", `/api/v1/messages/${watching}`));
  });
  const form = apiForm({}, async () => {
    let body;
    if (kind.value === "text") body = { to: to.value, text: text.value };
    if (kind.value === "location") body = { to: to.value, location: { latitude: Number(lat.value), longitude: Number(lng.value) } };
    if (kind.value === "poll") {
      body = { to: to.value, poll: { name: document.getElementById("send-question").value,
        values: options.value.split(",").map((o) => o.trim()).filter(Boolean) } };
    }
    if (kind.value === "image") {
      const upload = new FormData();
      upload.append("file", file.files[0]);
      const media = await api("POST", "/api/v1/media", upload);
      body = { to: to.value, image: { mediaId: media.id, caption: document.getElementById("send-caption").value || undefined } };
    }
    const message = await api("POST", `${path}/messages`, body);
    watching = message.id;
    showMessage(result, await api("GET", `/api/v1/messages/${message.id}`));
  }, h("div", { class: "row" }, field("To", to), field("Type", kind)), holder,
  h("button", { type: "submit" }, "Send"));
  page(`Send from ${name}`, h("p", {}, state), h("div", { class: "card" }, form), result);
}

function showMessage(holder, message) {
  holder.replaceChildren(h("div", { class: "card", "data-message": message.id },
    h("h2", {}, `Message ${message.id}`),
    h("p", {}, badge(message.status), ` ${message.type} to ${message.to}`),
    h("ol", { class: "timeline", "aria-label": "Timeline" },
      (message.timeline || []).map((step) => h("li", { title: when(step.at) }, badge(step.status)))),
    message.errorMessage ? h("p", { class: "error" }, `${message.errorCode || "error"}: ${message.errorMessage}`) : null,
    h("p", {}, h("a", { href: `#/message/${message.id}` }, "Details"))));
}

// --- messages ---------------------------------------------------------------------------

async function messagesPage() {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const filters = {
    status: h("select", { id: "filter-status" }, ["", "queued", "scheduled", "sent", "delivered", "read", "failed", "cancelled", "simulated"].map((s) => h("option", { value: s, selected: params.get("status") === s }, s || "any"))),
    direction: h("select", { id: "filter-direction" }, ["", "outbound", "inbound"].map((s) => h("option", { value: s, selected: params.get("direction") === s }, s || "any"))),
    chat: h("input", { id: "filter-chat", value: params.get("chat") || "" }),
    batchId: h("input", { id: "filter-batch", value: params.get("batchId") || "" }),
  };
  const query = new URLSearchParams({ limit: "50" });
  for (const [key, input] of Object.entries(filters)) if (input.value) query.set(key, input.value);
  const body = await apiPage(`/api/v1/messages?${query}`);
  const rows = body.data.map((m) => h("tr", {},
    h("td", {}, h("a", { href: `#/message/${m.id}` }, when(m.createdAt))),
    h("td", {}, m.direction === "inbound" ? `from ${m.from || m.chat}` : `to ${m.to}`),
    h("td", {}, badge(m.status)),
    h("td", {}, m.type),
    h("td", {}, m.body)));
  const apply = h("form", {
    onsubmit: (event) => {
      event.preventDefault();
      const next = new URLSearchParams();
      for (const [key, input] of Object.entries(filters)) if (input.value) next.set(key, input.value);
      location.hash = `#/messages?${next}`;
    },
  }, h("div", { class: "row" }, field("Status", filters.status), field("Direction", filters.direction),
    field("Chat", filters.chat), field("Batch", filters.batchId), h("button", { type: "submit" }, "Filter")));
  page("Messages", h("div", { class: "card" }, apply),
    h("div", { class: "card" }, h("p", { class: "muted" }, `${body.pagination?.total ?? body.data.length} messages`),
      table(["When", "With", "Status", "Type", "Body"], rows, "No messages match.")));
}

async function messagePage(id) {
  const message = await api("GET", `/api/v1/messages/${encodeURIComponent(id)}`);
  const holder = h("div");
  showMessage(holder, message);
  const act = (label, op) => h("button", {
    type: "button",
    onclick: async () => {
      try { await api("POST", `/api/v1/messages/${message.id}/${op}`); toast(`${label}: done`); route(); } catch (e) { toast(e.message); }
    },
  }, label);
  page("Message", holder,
    message.status === "failed" ? act("Retry", "retry") : null,
    ["queued", "scheduled", "retrying"].includes(message.status) ? act("Cancel", "cancel") : null,
    h("details", { class: "card" }, h("summary", {}, "JSON"), h("pre", {}, JSON.stringify(message, null, 2))));
}

// --- events -----------------------------------------------------------------------------

async function eventsPage() {
  const names = h("input", { id: "events-names", placeholder: "message.received, session.status" });
  const instance = h("input", { id: "events-instance", placeholder: "an instance id" });
  const list = h("ul", { class: "events", "aria-label": "Events, newest first" });
  const add = (event) => {
    list.prepend(h("li", { "data-event": event.event },
      h("details", {}, h("summary", {}, `${when(event.timestamp)} · `, h("strong", {}, event.event),
        event.instanceName ? ` · ${event.instanceName}` : ""),
      h("pre", {}, JSON.stringify(event, null, 2)))));
    while (list.children.length > 200) list.lastChild.remove();
  };
  const state = h("span");
  const watch = () => {
    list.replaceChildren();
    const query = {};
    if (names.value.trim()) query.events = names.value.replace(/\s+/g, "");
    if (instance.value.trim()) query.instance = instance.value.trim();
    state.replaceChildren(live(query, add));
  };
  page("Events",
    h("form", {
      class: "card",
      onsubmit: (event) => { event.preventDefault(); watch(); },
    }, h("div", { class: "row" }, field("Events", names), field("Instance", instance), h("button", { type: "submit" }, "Follow"))),
    h("p", {}, state),
    h("div", { class: "card" }, list, h("p", { class: "empty" }, "New events appear here as they happen.")));
  watch();
}

// --- webhooks ---------------------------------------------------------------------------

async function webhooksPage() {
  const [hooks, sinks] = await Promise.all([api("GET", "/api/v1/webhooks"), api("GET", "/api/v1/sinks")]);
  const url = h("input", { id: "webhook-url", type: "url", required: true, placeholder: "https://example.com/hooks/wagate" });
  const events = h("input", { id: "webhook-events", value: "*" });
  const format = h("select", { id: "webhook-format" }, ["native", "evolution", "sessions", "whatsapi"].map((f) => h("option", { value: f }, f)));
  const shown = h("div");
  const form = apiForm({}, async () => {
    const created = await api("POST", "/api/v1/webhooks", {
      url: url.value, format: format.value,
      events: events.value.split(",").map((e) => e.trim()).filter(Boolean),
    });
    shown.replaceChildren(h("p", { class: "secret" }, "Signing secret (shown only now): ", h("code", {}, created.secret)),
      h("a", { href: `#/webhook/${created.id}` }, "Open its delivery log"));
  }, h("h2", {}, "New webhook"), h("div", { class: "row" }, field("URL", url), field("Events", events), field("Format", format)),
  h("button", { type: "submit" }, "Create"), shown);
  page("Webhooks",
    h("div", { class: "card" }, table(["URL", "Events", "Format", "State", "Waiting"], hooks.map((w) => h("tr", {},
      h("td", {}, h("a", { href: `#/webhook/${w.id}` }, w.url)),
      h("td", {}, w.events.join(", ")),
      h("td", {}, w.format),
      h("td", {}, w.enabled ? (w.failingSince ? `failing since ${when(w.failingSince)}` : "enabled") : `disabled: ${w.disabledReason || ""}`),
      h("td", {}, String(w.pendingDeliveries ?? 0)))),
    "No webhooks: create one to receive events.")),
    h("div", { class: "card" }, form),
    h("div", { class: "card" }, h("h2", {}, "Broker sinks"),
      h("p", { class: "muted" }, "Set in the server's configuration ([brokers]); every event of every account goes to them."),
      table(["Sink", "Last event published", "Events behind"], sinks.map((sink) => h("tr", { "data-sink": sink.name },
        h("td", {}, sink.name), h("td", {}, String(sink.cursor)), h("td", {}, String(sink.lag)))),
      "No broker sinks are enabled.")));
}

async function webhookPage(id) {
  const base = `/api/v1/webhooks/${encodeURIComponent(id)}`;
  const [hook, deliveries] = await Promise.all([api("GET", base), api("GET", `${base}/deliveries`)]);
  const shown = h("div");
  const act = (label, path, body, after) => h("button", {
    type: "button", class: "quiet",
    onclick: async () => {
      try { const answer = await api("POST", path, body); toast(`${label}: done`); if (after) after(answer); else route(); } catch (e) { toast(e.message); }
    },
  }, label);
  const since = h("input", { id: "replay-since", type: "datetime-local" });
  const rows = deliveries.map((d) => h("tr", { "data-delivery": d.id },
    h("td", {}, when(d.createdAt)),
    h("td", {}, d.event),
    h("td", {}, badge(d.status), d.lastError ? h("div", { class: "muted" }, d.lastError) : null),
    h("td", {}, (d.attemptLog || []).map((a) => h("div", {}, `${when(a.at)}: ${a.statusCode ?? a.error ?? "—"} in ${a.durationMs} ms`))),
    h("td", {}, d.status !== "succeeded" ? act("Retry", `${base}/deliveries/${d.id}/retry`) : null)));
  page(`Webhook ${hook.url}`,
    h("div", { class: "card" },
      h("p", {}, `Format ${hook.format} · events ${hook.events.join(", ")} · ${hook.enabled ? "enabled" : "disabled"} · ${hook.pendingDeliveries ?? 0} deliveries waiting`),
      act("Send a test event", `${base}/test`),
      act("Rotate the secret", `${base}/rotate-secret`, undefined, (answer) => shown.replaceChildren(
        h("p", { class: "secret" }, "New signing secret (shown only now): ", h("code", {}, answer.secret)))),
      h("div", { class: "row" }, field("Replay every event since", since),
        h("button", {
          type: "button",
          onclick: async () => {
            try {
              await api("POST", `${base}/replay`, { since: new Date(since.value || 0).toISOString() });
              toast("Replay queued");
            } catch (e) { toast(e.message); }
          },
        }, "Replay")),
      shown),
    h("div", { class: "card" }, h("h2", {}, "Deliveries"),
      table(["When", "Event", "Status", "Attempts", ""], rows, "Nothing delivered yet.")));
}

// --- keys and accounts ------------------------------------------------------------------

async function keysPage() {
  const [tokens, instances] = await Promise.all([
    api("GET", "/api/v1/auth/tokens"),
    api("GET", "/api/v1/instances"),
  ]);
  const keyRows = (keys, revokePath) => keys.map((k) => h("tr", { "data-key": k.id },
    h("td", {}, k.name || "(the first key)"),
    h("td", {}, when(k.createdAt)),
    h("td", {}, h("button", {
      type: "button", class: "danger",
      onclick: async () => {
        if (!confirm("Revoke this key? It stops working at once.")) return;
        try { await api("DELETE", revokePath(k)); route(); } catch (e) { toast(e.message); }
      },
    }, "Revoke"))));
  const newKeyForm = (id, label, create, secretOf) => {
    const name = h("input", { id, placeholder: "what it is for" });
    const shown = h("div");
    return apiForm({}, async () => {
      const made = await create(name.value || undefined);
      shown.replaceChildren(h("p", { class: "secret" }, "New key (shown only now): ", h("code", {}, secretOf(made))));
      name.value = "";
    }, h("div", { class: "row" }, field(label, name), h("button", { type: "submit" }, "Create")), shown);
  };
  const perInstance = await Promise.all(instances.map(async (instance) => {
    const path = `/api/v1/instances/${encodeURIComponent(instance.name)}/keys`;
    const keys = await api("GET", path);
    return h("div", { class: "card", "data-keys-of": instance.name },
      h("h2", {}, `Keys of ${instance.name}`),
      table(["Name", "Created", ""], keyRows(keys, (k) => `${path}/${k.id}`), "No keys."),
      newKeyForm(`key-name-${instance.id}`, `New key for ${instance.name}`,
        (name) => api("POST", path, { name }), (made) => made.apiKey));
  }));
  page("Keys",
    h("div", { class: "card" },
      h("h2", {}, "Personal tokens (account keys)"),
      table(["Name", "Created", ""], keyRows(tokens, (k) => `/api/v1/auth/tokens/${k.id}`), "No tokens."),
      newKeyForm("token-name", "New token: what it is for",
        (name) => api("POST", "/api/v1/auth/tokens", { name }), (made) => made.token)),
    ...(perInstance.length ? perInstance : [h("p", { class: "empty" }, "Instance keys appear here once there are instances.")]));
}

const PLANS = ["free", "basic", "pro", "enterprise", "sessions", "unlimited"];

async function accountsPage() {
  const accounts = await api("GET", "/api/v1/accounts");
  const name = h("input", { id: "account-name", required: true });
  const plan = h("select", { id: "account-plan" }, PLANS.map((p) => h("option", { value: p }, p)));
  const shown = h("div");
  const planOf = (account) => {
    const select = h("select", {
      "aria-label": `Plan of ${account.name}`,
      onchange: async () => {
        try {
          await api("PATCH", `/api/v1/accounts/${account.id}`, { plan: select.value });
          toast(`${account.name} is on ${select.value} now`);
        } catch (e) { toast(e.message); route(); }
      },
    }, PLANS.map((p) => h("option", { value: p, selected: p === account.plan }, p)));
    return select;
  };
  page("Accounts",
    h("div", { class: "card" }, table(["Name", "Plan", "Created"], accounts.map((a) => h("tr", { "data-account": a.name },
      h("td", {}, a.name), h("td", {}, planOf(a)), h("td", {}, when(a.createdAt)))), "No accounts yet.")),
    apiForm({ class: "card" }, async () => {
      const created = await api("POST", "/api/v1/accounts", { name: name.value, plan: plan.value });
      shown.replaceChildren(h("p", { class: "secret" }, `Key of ${name.value} (shown only now): `, h("code", {}, created.apiKey)),
        h("p", {}, "Sign in with it to manage that account's instances."));
      await accountsPage();
      view.append(h("div", { class: "card" }, shown));
    }, h("h2", {}, "New account"), h("div", { class: "row" }, field("Name", name), field("Plan", plan)),
    h("button", { type: "submit" }, "Create"), shown));
}

start();
