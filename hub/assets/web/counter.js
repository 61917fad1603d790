// The counter page, for a clerk in a rush: the counter's queue, live (the site's event
// stream says when anything changed), and its actions, each sent with the session's CSRF
// token and the ticket's id. Every word is Indonesian unless the clerk chooses English.
// Keyboard: Enter done and call next (or call next), N call next, R recall, S start,
// D done, X no-show, T transfer, P pause/resume, B back in line, C call a number
// (supervisors); in a dialog 1–9 choose, Enter confirms, Esc closes.
// An action never fails silently: a refusal says why, a lost server shows a banner with
// "Coba lagi" (the action is sent again; the rules make a repeat harmless).
"use strict";
const page = document.body.dataset;
const $ = (id) => document.getElementById(id);
let state = null;
let lang = localStorage.getItem("mpp-counter-lang") === "en" ? "en" : "id";

const WORDS = {
  id: {
    nobody: "Tidak ada yang dilayani", waiting: " menunggu", priority: " prioritas", quiet: " layanan lain loket ini: tidak ada yang menunggu",
    minutes: " menit", recalled: "dipanggil ulang ", paused: "Loket dijeda: ", resume: "Lanjutkan", pause: "Jeda",
    lost: "Server tidak terjangkau — menyambung lagi …", unsent: "Server tidak terjangkau: tindakan terakhir belum terkirim.",
    recallIn: (s) => "Panggil ulang bisa dalam " + s + " detik.", chooseTransfer: "Pilih tujuan pengalihan dulu.",
    noNoShows: "Tidak ada nomor tidak hadir hari ini di loket ini.", ownService: "layanan loket ini", otherCounter: "loket ",
    reasonWrong: "Salah layanan", reasonMore: "Perlu layanan lain juga", other: "Lainnya", language: "English",
    needReason: "Tulis alasannya.", needNumber: "Tulis nomornya (mis. KTB-A007).", http: "Server menjawab ",
    booked: "Booking ",
  },
  en: {
    nobody: "Nobody at the counter", waiting: " waiting", priority: " priority", quiet: " more services of this counter: nobody waiting",
    minutes: " min", recalled: "recalled ", paused: "Counter paused: ", resume: "Resume", pause: "Pause",
    lost: "The server cannot be reached — reconnecting …", unsent: "The server cannot be reached: the last action was not sent.",
    recallIn: (s) => "Recall possible in " + s + " s.", chooseTransfer: "Choose where to transfer it first.",
    noNoShows: "No no-shows at this counter today.", ownService: "this counter's service", otherCounter: "counter ",
    reasonWrong: "Wrong service", reasonMore: "Needs another service too", other: "Other", language: "Bahasa Indonesia",
    needReason: "Write the reason.", needNumber: "Write the number (e.g. KTB-A007).", http: "The server answered ",
    booked: "Booking ",
  },
};
const w = (k) => WORDS[lang][k];
const LABELS = { "finish-next": "Selesai & panggil berikutnya", "call-next": "Panggil berikutnya", recall: "Panggil ulang", start: "Mulai layani", finish: "Selesai", "no-show": "Tidak hadir", transfer: "Alihkan" };
const LABELS_EN = { "finish-next": "Done, call next", "call-next": "Call next", recall: "Recall", start: "Start serving", finish: "Done", "no-show": "No-show", transfer: "Transfer" };

function text(el, s) { el.textContent = s == null ? "" : String(s); }
function el(tag, cls, s) { const e = document.createElement(tag); if (cls) e.className = cls; if (s != null) text(e, s); return e; }

// The server's clock, not the PC's: kept by every state read and every beat.
let offset = Number(page.serverNow) - Date.now();
const serverNow = () => Date.now() + offset;

function say(message, ok) {
  const m = $("message");
  text(m, message);
  m.className = "message " + (ok ? "ok" : "error");
  m.hidden = !message;
}

// ---- the server lost and found ------------------------------------------------------

let pending = null;           // an action the server did not answer, for "Coba lagi"
let lastBeat = Date.now();
function offline(on) {
  $("offline").hidden = !on && !pending;
  text($("offline-text"), pending ? w("unsent") : w("lost"));
}

async function call(url, options) {
  try {
    return await fetch(url, Object.assign({ credentials: "same-origin", cache: "no-store" }, options));
  } catch (e) {
    return null; // the network: said by the caller
  }
}

async function refresh() {
  const r = await call("/api/v1/counter/state?lang=" + lang);
  if (!r) { offline(true); return; }
  if (r.status === 401) { location.href = "/counter"; return; }
  const body = await r.json().catch(() => null);
  if (!r.ok || !body) { say((body && body.error) || w("http") + r.status, false); return; }
  state = body;
  offset = state.server_now - Date.now();
  render();
}

// ---- what the page shows ------------------------------------------------------------

function minutes(since) {
  if (!since) return "";
  return Math.max(0, Math.floor((serverNow() - Date.parse(since)) / 60000)) + w("minutes");
}

const BUTTONS = { recall: "recall", start: "start", finish: "finish", "no-show": "no_show", transfer: "transfer" };
function render() {
  const s = state;
  text($("paused"), s.paused ? w("paused") + s.paused : "");
  $("paused").hidden = !s.paused;
  text($("pause"), s.paused ? w("resume") : w("pause"));
  const c = s.current;
  text($("current-number"), c ? c.number : "—");
  $("current-number").classList.toggle("none", !c);
  const capital = (t) => (t ? t[0].toUpperCase() + t.slice(1) : "");
  text($("current-state"), c ? capital(c.state_words) + " · " + minutes(c.since) + (c.recalls ? " · " + w("recalled") + c.recalls + "×" : "") : w("nobody"));
  text($("current-service"), c ? c.service_name : "");
  // Why this ticket goes where it does: a priority class, or a booking's slot.
  const because = c ? [c.priority_words, c.booked_slot ? w("booked") + c.booked_slot : null].filter(Boolean).join(" · ") : "";
  text($("current-priority"), because);
  $("current-priority").hidden = !because;
  // Each button enabled only when the rules allow it; the reason beside it when not.
  const why = $("why");
  why.replaceChildren();
  const labels = lang === "en" ? LABELS_EN : LABELS;
  const block = (id, reason) => {
    $(id).disabled = !!reason;
    $(id).title = reason || "";
    if (reason) { const li = el("li"); li.append(el("b", null, labels[id] + ": "), reason); why.append(li); }
  };
  block("call-next", s.call_next);
  for (const [id, code] of Object.entries(BUTTONS)) {
    const reason = c ? s.refusals[code] : null;
    $(id).disabled = !c || !!reason;
    $(id).title = reason || "";
    // The recall gap is counted down instead (recallCountdown).
    if (c && reason && !(code === "recall" && s.recall_at)) { const li = el("li"); li.append(el("b", null, labels[id] + ": "), reason); why.append(li); }
  }
  $("finish-next").disabled = !c || !!s.refusals.finish || !!s.paused;
  $("requeue").disabled = false;
  recallCountdown();
  // The lines.
  const body = $("lines");
  body.replaceChildren();
  let total = 0;
  let quiet = 0;
  for (const l of s.lines) {
    total += l.waiting;
    if (l.waiting === 0) { quiet += 1; continue; }
    const tr = el("tr");
    const next = el("td");
    for (const n of l.next) {
      const span = el("span", null, n.number + " ");
      if (n.priority) span.append(el("span", "priority", "P"));
      next.append(span, " ");
    }
    tr.append(el("td", null, l.name), el("td", null, l.waiting + (l.priority_waiting ? " (" + l.priority_waiting + w("priority") + ")" : "")), next);
    body.append(tr);
  }
  if (quiet) {
    const tr = el("tr");
    const td = el("td", null, quiet + w("quiet"));
    td.colSpan = 3;
    tr.append(td);
    body.append(tr);
  }
  text($("waiting-total"), total + w("waiting"));
}

// The recall gap, counted down on the server's clock; the state is read again when it ends.
let recallTimer = null;
function recallCountdown() {
  clearTimeout(recallTimer);
  if (!state || !state.recall_at) return;
  const left = Math.ceil((Date.parse(state.recall_at) - serverNow()) / 1000);
  if (left <= 0) { refresh(); return; }
  const line = $("why").querySelector("li[data-recall]") || el("li");
  line.dataset.recall = "1";
  line.replaceChildren(el("b", null, (lang === "en" ? LABELS_EN : LABELS).recall + ": "), w("recallIn")(left));
  if (!line.parentElement) $("why").prepend(line);
  recallTimer = setTimeout(recallCountdown, 1000);
}

// ---- actions ------------------------------------------------------------------------

async function act(body) {
  if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
  const sent = Object.assign({ lang }, body);
  const r = await call("/api/v1/counter/action", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": page.csrf },
    body: JSON.stringify(sent),
  });
  if (!r) { pending = sent; offline(true); say(w("unsent"), false); return false; }
  pending = null;
  offline(Date.now() - lastBeat > 5000);
  if (r.status === 401) { location.href = "/counter"; return false; }
  const answer = await r.json().catch(() => ({}));
  // The state first, then the words: what the message says is what the page shows.
  await refresh();
  if (!r.ok) { say(answer.error || w("http") + r.status, false); return false; }
  say(answer.message || "", true);
  return true;
}

const ticket = () => state && state.current ? { ticket: state.current.ticket, number: state.current.number } : {};

const actions = {
  "finish-next": () => act(Object.assign({ action: "finish_and_call_next" }, ticket())),
  "call-next": () => act({ action: "call_next" }),
  "recall": () => act(Object.assign({ action: "recall" }, ticket())),
  "start": () => act(Object.assign({ action: "start" }, ticket())),
  "finish": () => act(Object.assign({ action: "finish" }, ticket())),
  "no-show": () => act(Object.assign({ action: "no_show" }, ticket())),
  "transfer": () => openTransfer(),
  "pause": () => (state && state.paused ? act({ action: "resume" }) : openPause()),
  "requeue": () => openRequeue(),
  "call-number": () => openDialog($("call-dialog"), $("call-number-input")),
};
for (const [id, run] of Object.entries(actions)) {
  const b = $(id);
  if (b) b.addEventListener("click", () => { if (!b.disabled) run(); });
}

// ---- dialogs: choices by number key, Enter to confirm, Esc to close -----------------

function openDialog(d, focus) {
  d.showModal();
  if (focus) focus.focus();
}

// A list of choices, the first nine with their key; `picked` marks the one chosen.
function choices(list, items, onPick) {
  list.replaceChildren();
  items.forEach((item, i) => {
    const li = el("li");
    const b = el("button", "choice");
    b.type = "button";
    if (i < 9) b.append(el("kbd", null, String(i + 1)));
    b.append(" " + item.label);
    if (item.note) b.append(el("small", null, " · " + item.note));
    b.addEventListener("click", () => { for (const o of list.querySelectorAll(".choice")) o.classList.remove("picked"); b.classList.add("picked"); onPick(item); });
    li.append(b);
    list.append(li);
  });
}
function pickByKey(e, list) {
  const n = Number(e.key);
  // In a text box a digit is typed, unless the box is still empty.
  const typing = ["INPUT", "TEXTAREA"].includes(e.target.tagName) && e.target.type !== "radio" && e.target.type !== "checkbox" && e.target.value !== "";
  if (n >= 1 && n <= 9 && !typing) {
    const b = list.querySelectorAll(".choice")[n - 1];
    if (b) { e.preventDefault(); b.click(); }
  }
}

// Transfer: this counter's other services, the counters and services of its agencies,
// then everything by search.
const allServices = JSON.parse(page.allServices || "[]");
const otherCounters = JSON.parse(page.counters || "[]");
let transferTo = null;
let transferReason = null;
function transferItems(query) {
  const q = query.trim().toLowerCase();
  const current = state && state.current ? state.current.service : null;
  const match = (s) => !q || s.toLowerCase().includes(q);
  const items = [];
  for (const s of allServices) if (s.own && s.code !== current && match(s.name + " " + s.code)) items.push({ label: s.name, note: w("ownService"), service: s.code, counter: null });
  for (const c of otherCounters) {
    if (!(c.near || q) || !match(c.name + " " + c.number)) continue;
    const service = c.services.includes(current) ? current : c.services[0];
    if (service) items.push({ label: c.name, note: (allServices.find((s) => s.code === service) || {}).name, service, counter: c.number });
  }
  for (const s of allServices) if (!s.own && (s.near || q) && s.code !== current && match(s.name + " " + s.code)) items.push({ label: s.name, service: s.code, counter: null });
  return items.slice(0, 30);
}
function showTransferChoices() {
  transferTo = null;
  choices($("transfer-choices"), transferItems($("transfer-search").value), (item) => { transferTo = item; });
}
function openTransfer() {
  $("transfer-search").value = "";
  showTransferChoices();
  const reasons = $("transfer-reasons");
  reasons.querySelectorAll("label").forEach((l) => l.remove());
  transferReason = null;
  for (const r of [w("reasonWrong"), w("reasonMore")]) {
    const l = el("label", "check");
    const input = el("input");
    input.type = "radio"; input.name = "transfer-reason"; input.value = r;
    input.addEventListener("change", () => { transferReason = r; });
    l.append(input, " " + r);
    reasons.append(l);
  }
  openDialog($("transfer-dialog"), $("transfer-search"));
}
$("transfer-search").addEventListener("input", showTransferChoices);
$("transfer-dialog").addEventListener("keydown", (e) => pickByKey(e, $("transfer-choices")));
$("transfer-dialog").addEventListener("close", () => {
  if ($("transfer-dialog").returnValue !== "go") return;
  if (!transferTo) { const first = $("transfer-choices").querySelector(".choice"); if (first) first.click(); }
  if (!transferTo) { say(w("chooseTransfer"), false); return; }
  act(Object.assign({ action: "transfer", service: transferTo.service, counter: transferTo.counter, front: $("transfer-front").checked, reason: transferReason || w("reasonWrong") }, ticket()));
});

// Pause: the site's reasons, then "Lainnya" written.
const pauseReasons = JSON.parse(page.pauseReasons || "[]");
let pauseReason = null;
function openPause() {
  pauseReason = null;
  $("pause-other").value = "";
  choices($("pause-choices"), pauseReasons.map((r) => ({ label: r, reason: r })), (item) => { pauseReason = item.reason; $("pause-dialog").close("go"); });
  openDialog($("pause-dialog"), $("pause-choices").querySelector(".choice"));
}
$("pause-dialog").addEventListener("keydown", (e) => pickByKey(e, $("pause-choices")));
$("pause-dialog").addEventListener("close", () => {
  if ($("pause-dialog").returnValue !== "go") return;
  const reason = pauseReason || $("pause-other").value.trim();
  if (!reason) { say(w("needReason"), false); return; }
  act({ action: "pause", reason });
});

// Back in line: today's no-shows at this counter, or a number.
let requeueTicket = null;
function openRequeue() {
  requeueTicket = null;
  $("requeue-number").value = "";
  const missed = (state && state.no_shows) || [];
  choices($("requeue-choices"), missed.map((m) => ({ label: m.number, note: m.service_name, ticket: m.ticket })), (item) => { requeueTicket = item; $("requeue-dialog").close("go"); });
  if (!missed.length) $("requeue-choices").append(el("li", "quiet", w("noNoShows")));
  openDialog($("requeue-dialog"), missed.length ? $("requeue-choices").querySelector(".choice") : $("requeue-number"));
}
$("requeue-dialog").addEventListener("keydown", (e) => pickByKey(e, $("requeue-choices")));
$("requeue-dialog").addEventListener("close", () => {
  if ($("requeue-dialog").returnValue !== "go") return;
  if (requeueTicket) { act({ action: "requeue", ticket: requeueTicket.ticket, number: requeueTicket.label }); return; }
  const number = $("requeue-number").value.trim().toUpperCase();
  if (!number) { say(w("needNumber"), false); return; }
  act({ action: "requeue", number });
});

// Call a number out of order (supervisors): the number and why.
if ($("call-dialog")) {
  $("call-dialog").addEventListener("close", () => {
    if ($("call-dialog").returnValue !== "go") return;
    const number = $("call-number-input").value.trim().toUpperCase();
    const reason = $("call-reason").value.trim();
    if (!number) { say(w("needNumber"), false); return; }
    if (!reason) { say(w("needReason"), false); return; }
    act({ action: "call", number, reason });
  });
}

// ---- the keyboard -------------------------------------------------------------------

const keys = { n: "call-next", r: "recall", s: "start", d: "finish", x: "no-show", t: "transfer", p: "pause", b: "requeue", c: "call-number" };
document.addEventListener("keydown", (e) => {
  if (document.querySelector("dialog[open]")) return;
  if (e.ctrlKey || e.altKey || e.metaKey || ["INPUT", "SELECT", "TEXTAREA", "BUTTON"].includes(e.target.tagName)) return;
  let id = keys[e.key.toLowerCase()];
  // Enter: done and call next when someone is at the counter, else call next.
  if (e.key === "Enter") id = state && state.current ? "finish-next" : "call-next";
  const b = id && $(id);
  if (b && !b.disabled) { e.preventDefault(); b.click(); }
});

// ---- the language -------------------------------------------------------------------

function applyLanguage() {
  document.documentElement.lang = lang;
  for (const e of document.querySelectorAll("[data-en]")) {
    if (e.dataset.id == null) e.dataset.id = e.textContent;
    text(e, lang === "en" ? e.dataset.en : e.dataset.id);
  }
  text($("lang"), w("language"));
  if (state) render();
}
$("lang").addEventListener("click", () => {
  lang = lang === "en" ? "id" : "en";
  localStorage.setItem("mpp-counter-lang", lang);
  applyLanguage();
  refresh();
});
$("retry").addEventListener("click", async () => {
  if (pending) { const again = pending; pending = null; await act(again); } else { await refresh(); }
});

// ---- the event stream ---------------------------------------------------------------

// The stream carries the site's queue (this counter's lines, updated here) and the
// counters: a change at this counter reads its state again (the refusals, the id).
const myServices = JSON.parse(page.services || "[]");
function fromQueue(q) {
  if (!state) return;
  state.lines = myServices.map((s) => {
    const l = q.services.find((x) => x.service === s.code);
    const priority = l ? l.priority_waiting : 0;
    return { service: s.code, name: s.name, waiting: l ? l.waiting : 0, priority_waiting: priority, next: (l ? l.next : []).map((n, i) => ({ number: n, priority: i < priority })) };
  });
  render();
}
function fromCalls(calls) {
  const me = calls.counters.find((c) => c.number === Number(page.counter));
  const c = state && state.current;
  if (!state || !me || (me.serving || null) !== (c ? c.number : null) || (me.state || null) !== (c ? c.state : null)
      || (me.recalls || 0) !== (c ? c.recalls || 0 : 0) || (me.paused_reason || null) !== (state.paused || null)) refresh();
}
let events = null;
function connect() {
  if (events) events.close();
  events = new EventSource("/api/v1/sites/" + encodeURIComponent(page.site) + "/events");
  events.addEventListener("queue", (e) => fromQueue(JSON.parse(e.data)));
  events.addEventListener("calls", (e) => fromCalls(JSON.parse(e.data)));
  events.addEventListener("beat", (e) => { lastBeat = Date.now(); offset = JSON.parse(e.data).now - Date.now(); offline(false); });
  events.onopen = () => { lastBeat = Date.now(); offline(false); refresh(); };
  events.onerror = () => { offline(true); if (events.readyState === EventSource.CLOSED) setTimeout(connect, 3000); };
}
setInterval(() => { if (Date.now() - lastBeat > 5000) offline(true); }, 1000);
setInterval(() => { if (state) render(); }, 30000);
applyLanguage();
connect();
refresh();
