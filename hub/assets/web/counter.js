// The counter page: the counter's queue, live (the site's event stream says when anything
// changed; the state is then read again), and its actions, each sent with the session's
// CSRF token. Keyboard: N call next, R recall, S start, D done, X no-show, T transfer,
// P pause/resume, C call a number (supervisors).
"use strict";
const page = document.body.dataset;
const $ = (id) => document.getElementById(id);
let state = null;

function text(el, s) { el.textContent = s == null ? "" : String(s); }

function say(message, ok) {
  const m = $("message");
  text(m, message);
  m.className = "message " + (ok ? "ok" : "error");
  m.hidden = !message;
}

async function refresh() {
  const r = await fetch("/api/v1/counter/state", { credentials: "same-origin" });
  if (r.status === 401) { location.href = "/counter"; return; }
  state = await r.json();
  render();
}

function minutes(since) {
  if (!since) return "";
  const m = Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 60000));
  return m + " menit";
}

function render() {
  const s = state;
  text($("paused"), s.paused ? "Loket dijeda: " + s.paused : "");
  $("paused").hidden = !s.paused;
  $("pause").textContent = s.paused ? "Lanjutkan (P)" : "Jeda (P)";
  const c = s.current;
  text($("current-number"), c ? c.number : "—");
  text($("current-state"), c ? ({ called: "Dipanggil", serving: "Sedang dilayani" }[c.state] + " · " + minutes(c.since) + (c.recalls ? " · dipanggil ulang " + c.recalls + "×" : "")) : "Tidak ada yang dilayani");
  text($("current-service"), c ? c.service_name : "");
  $("call-next").disabled = !!c || !!s.paused;
  $("recall").disabled = !c || c.state !== "called";
  $("start").disabled = !c || c.state !== "called";
  $("finish").disabled = !c;
  $("no-show").disabled = !c || c.state !== "called";
  $("transfer").disabled = !c;
  const body = $("lines");
  body.replaceChildren();
  let total = 0;
  let quiet = 0;
  for (const l of s.lines) {
    total += l.waiting;
    if (l.waiting === 0) { quiet += 1; continue; }
    const tr = document.createElement("tr");
    const name = document.createElement("td"); text(name, l.name);
    const waiting = document.createElement("td"); text(waiting, l.waiting + (l.priority_waiting ? " (" + l.priority_waiting + " prioritas)" : ""));
    const next = document.createElement("td");
    for (const n of l.next) {
      const span = document.createElement("span");
      text(span, n.number + " ");
      if (n.priority) { const p = document.createElement("span"); p.className = "priority"; text(p, "P"); span.append(p); }
      next.append(span, " ");
    }
    tr.append(name, waiting, next);
    body.append(tr);
  }
  if (quiet) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = 3;
    text(td, quiet + " layanan lain loket ini: tidak ada yang menunggu");
    tr.append(td);
    body.append(tr);
  }
  text($("waiting-total"), total + " menunggu");
}

async function act(body) {
  const r = await fetch("/api/v1/counter/action", {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": page.csrf },
    body: JSON.stringify(body),
  });
  const answer = await r.json().catch(() => ({}));
  if (!r.ok) { say(answer.error || ("HTTP " + r.status), false); return false; }
  say(answer.message || "", true);
  await refresh();
  return true;
}

const actions = {
  "call-next": () => act({ action: "call_next" }),
  "recall": () => act({ action: "recall", number: state.current.number }),
  "start": () => act({ action: "start", number: state.current.number }),
  "finish": () => act({ action: "finish", number: state.current.number }),
  "no-show": () => act({ action: "no_show", number: state.current.number }),
  "transfer": () => {
    const service = $("transfer-service").value;
    const front = $("transfer-front").checked;
    const to = $("transfer-counter").value;
    const reason = prompt("Alasan pengalihan:");
    if (reason === null) return;
    return act({ action: "transfer", number: state.current.number, service, front, reason, counter: to ? Number(to) : null });
  },
  "pause": () => {
    if (state.paused) return act({ action: "resume" });
    const reason = prompt("Alasan jeda (istirahat, salat, gangguan sistem …):");
    if (reason) return act({ action: "pause", reason });
  },
  "call-number": () => {
    const number = prompt("Nomor yang dipanggil (mis. KTB-A007):");
    if (!number) return;
    const reason = prompt("Alasan memanggil di luar urutan:");
    if (reason === null) return;
    return act({ action: "call", number: number.trim().toUpperCase(), reason });
  },
  "requeue": () => {
    const number = prompt("Nomor yang datang terlambat (kembali ke antrean):");
    if (number) return act({ action: "requeue", number: number.trim().toUpperCase() });
  },
};
for (const [id, run] of Object.entries(actions)) {
  const b = $(id);
  if (b) b.addEventListener("click", () => { if (!b.disabled) run(); });
}
const keys = { n: "call-next", r: "recall", s: "start", d: "finish", x: "no-show", t: "transfer", p: "pause", c: "call-number" };
document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.altKey || e.metaKey || ["INPUT", "SELECT", "TEXTAREA"].includes(e.target.tagName)) return;
  const id = keys[e.key.toLowerCase()];
  const b = id && $(id);
  if (b && !b.disabled) { e.preventDefault(); b.click(); }
});

// The event stream carries everything the page shows: the site's queue (this counter's
// lines) and the counters (the ticket at this one). Nothing is read again on a change.
const myServices = JSON.parse(page.services || "[]");
let queueData = null;
let callsData = null;
function fromEvents() {
  if (!queueData || !callsData) return;
  const me = callsData.counters.find((c) => c.number === Number(page.counter));
  if (!me) { refresh(); return; }
  const names = Object.fromEntries(myServices.map((s) => [s.code, s.name]));
  state = {
    paused: me.paused_reason,
    current: me.serving ? { number: me.serving, service: me.service, service_name: names[me.service] || me.service, state: me.state, recalls: me.recalls, since: me.since } : null,
    lines: myServices.map((s) => {
      const l = queueData.services.find((x) => x.service === s.code);
      const priority = l ? l.priority_waiting : 0;
      return { service: s.code, name: s.name, waiting: l ? l.waiting : 0, priority_waiting: priority, next: (l ? l.next : []).map((n, i) => ({ number: n, priority: i < priority })) };
    }),
  };
  render();
}
const events = new EventSource("/api/v1/sites/" + encodeURIComponent(page.site) + "/events");
events.addEventListener("queue", (e) => { queueData = JSON.parse(e.data); fromEvents(); });
events.addEventListener("calls", (e) => { callsData = JSON.parse(e.data); fromEvents(); });
events.onerror = () => say("Koneksi ke server terputus; menyambung lagi …", false);
events.onopen = () => { if ($("message").classList.contains("error")) say("", true); };
setInterval(() => { if (state) render(); }, 30000);
refresh();
