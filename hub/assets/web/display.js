// The lobby display: the site's calls, live. The event stream says when anything changed;
// the event brings the calls with it, and a beat every 2 s brings the server's clock. A
// call not seen before flashes and is spoken (the WAV the server makes: `mpp-hub voice say`
// gives the same); a recall is spoken again and marked as one. Calls are spoken one after
// another, never over each other. When the server is lost (an error, or no beat for 5 s)
// a red band says so, and the page reconnects by itself.
//
// Sizes: no text is smaller than the reading distance allows (data-min-text: a share of
// the screen's short side, docs/hub-api.md). The counters' tiles take the largest size at
// which every counter fits on one screen with its name whole; when even the smallest does
// not fit, they are shown in pages that turn by themselves (counters with a number first).
"use strict";
const page = document.body.dataset;
const $ = (id) => document.getElementById(id);
let lastSeen = null;          // the newest call id shown
const speakQueue = [];
let speaking = false;
// What was queued and what was played (url, start, end), for tests and a technician's console.
window.mppQueued = [];
window.mppSpoken = [];
window.mppPlayed = [];
// The layout chosen and the page shown (a technician's console; the tests read it).
window.mppDisplay = { pages: 1, page: 0, k: 1, cols: 1, rows: 1, turns: 0 };

function text(el, s) { el.textContent = s == null ? "" : String(s); }
function el(tag, cls, s) { const e = document.createElement(tag); if (cls) e.className = cls; if (s != null) text(e, s); return e; }

// The server's clock, not the TV box's (often wrong, and the server may be pinned for a
// demo): set when the page was served, kept by every beat.
let offset = Number(page.serverNow) - Date.now();
const serverNow = () => Date.now() + offset;
// The site's local time from the zone's offset the server sent (minutes), not the TV
// box's own zone data: formatted as UTC after adding it.
const zoneOffsetMs = Number(page.zoneOffset) * 60000;
const pageSecs = Math.max(2, Number(page.pageSecs) || 8);
const onlyCounters = JSON.parse(page.counters || "[]");
const serviceNames = JSON.parse(page.services || "{}");

function clock() {
  const local = new Date(serverNow() + zoneOffsetMs);
  const fmt = new Intl.DateTimeFormat("id-ID", { timeZone: "UTC", weekday: "long", day: "numeric", month: "long" });
  const hh = String(local.getUTCHours()).padStart(2, "0");
  const mm = String(local.getUTCMinutes()).padStart(2, "0");
  text($("date"), fmt.format(local));
  text($("time"), hh + "." + mm + " " + page.zoneLabel);
}

// The smallest text, px: the share of the short side the reading distance needs.
function sizes() {
  const min = Math.min(innerWidth, innerHeight) * Number(page.minText || 0.028);
  document.documentElement.style.setProperty("--min", min.toFixed(1) + "px");
}

function speakNext() {
  if (speaking || speakQueue.length === 0) return;
  const call = speakQueue.shift();
  const url = "/api/v1/voice/call.wav?number=" + encodeURIComponent(call.number) + "&counter=" + call.counter;
  window.mppSpoken.push(url);
  speaking = true;
  const audio = new Audio(url);
  const played = { url, start: performance.now(), end: null };
  window.mppPlayed.push(played);
  const done = () => { played.end = performance.now(); speaking = false; speakNext(); };
  audio.onended = done;
  audio.onerror = done;
  audio.play().catch(() => { $("sound").classList.add("shown"); done(); });
}

// ---- the counters' tiles -------------------------------------------------------------

let board = null;             // the last "calls" event
let layout = null;            // { key, k, cols, rows, per }
let pageIndex = 0;

const active = (c) => !!c.serving;
function shown() {
  const all = board ? board.counters : [];
  return onlyCounters.length ? all.filter((c) => onlyCounters.includes(c.number)) : all;
}

function tile(c, sample) {
  const t = el("div", "tile" + (active(c) ? " busy" : c.paused ? " paused" : " idle"));
  t.dataset.counter = c.number;
  const name = el("div", "name", c.name);
  const num = el("div", "num", sample != null ? sample : active(c) ? c.serving : c.paused ? "Jeda" : "—");
  if (!sample && active(c) && c.state === "called") num.classList.add("called");
  t.append(name, num);
  return t;
}

// Lays every counter out at size k with cols columns (with the widest number in each).
// A name that needs more than two lines in one column spans two. Returns the spans, the
// tile height and the rows that fit, or null when a name would still need more than two
// lines or a number would stick out of its tile.
function measure(items, sample, k, cols) {
  const box = $("tiles");
  box.style.setProperty("--k", k);
  box.style.setProperty("--cols", cols);
  box.style.removeProperty("--tile-h");
  box.replaceChildren(...items.map((c) => tile(c, sample)));
  const fits = (t) => {
    const [name, num] = t.children;
    const line = parseFloat(getComputedStyle(name).lineHeight);
    return name.scrollWidth <= name.clientWidth + 1 && name.scrollHeight <= 2 * line + 2 && num.scrollWidth <= num.clientWidth + 1;
  };
  const spans = {};
  for (const t of box.children) {
    if (fits(t)) continue;
    if (cols < 2) return null;
    t.classList.add("wide");
    spans[t.dataset.counter] = 2;
  }
  let h = 0;
  for (const t of box.children) {
    if (!fits(t)) { window.mppDisplay.refused = [k, cols, t.textContent].join(" "); return null; }
    h = Math.max(h, t.getBoundingClientRect().height);
  }
  const gap = parseFloat(getComputedStyle(box).rowGap) || 0;
  const rows = Math.floor((box.clientHeight + gap) / (h + gap));
  return rows >= 1 ? { k, cols, rows, h, spans } : null;
}

// The pages `order` makes at a layout: placed as the grid places them (row by row; a wide
// tile that does not fit at a row's end starts the next row).
function paginate(order, m) {
  const pages = [[]];
  let cell = 0;
  for (const c of order) {
    const span = m.spans[c.number] || 1;
    if (span > 1 && cell % m.cols + span > m.cols) cell += m.cols - (cell % m.cols);
    if (cell + span > m.rows * m.cols) { pages.push([]); cell = 0; }
    pages[pages.length - 1].push(c);
    cell += span;
  }
  return pages;
}

const SIZES = [2.6, 2.2, 1.9, 1.6, 1.4, 1.2, 1.0];
function fit(items, sample) {
  const most = Math.min(Math.max(items.length, 1), 12);
  for (const k of SIZES.slice(0, -1)) {
    for (let cols = most; cols >= 1; cols--) {
      const m = measure(items, sample, k, cols);
      if (m) { if (paginate(items, m).length === 1) return m; break; }
    }
  }
  // The smallest size: the layout with the fewest pages, then the most counters on a page
  // (five columns of tiles that all span two hold fewer than three columns of single ones).
  let best = null, score = null;
  for (let cols = most; cols >= 1; cols--) {
    const m = measure(items, sample, 1, cols);
    if (!m) continue;
    const pages = paginate(items, m);
    const s = [pages.length, -pages[0].length];
    if (!score || s[0] < score[0] || (s[0] === score[0] && s[1] < score[1])) { best = m; score = s; }
  }
  return best || { k: 1, cols: 1, rows: 1, h: 0, spans: {} };
}

function renderTiles() {
  const items = shown();
  const box = $("tiles");
  // The widest number a tile may hold: the longest at a counter now, or a usual one.
  const sample = items.reduce((s, c) => (c.serving && c.serving.length > s.length ? c.serving : s), "KTB-PA000");
  const keyOf = () => JSON.stringify([items.map((c) => c.name), sample.length, box.clientWidth, box.clientHeight]);
  if (!layout || layout.key !== keyOf()) {
    layout = fit(items, sample);
    layout.key = keyOf();
  }
  // On one page the counters keep their order; on several, those with a number come first.
  let pages = paginate(items, layout);
  if (pages.length > 1) {
    pages = paginate([...items.filter(active), ...items.filter((c) => !active(c) && c.paused), ...items.filter((c) => !active(c) && !c.paused)], layout);
  }
  pageIndex %= pages.length;
  box.style.setProperty("--k", layout.k);
  box.style.setProperty("--cols", layout.cols);
  box.style.setProperty("--tile-h", layout.h + "px");
  box.replaceChildren(...pages[pageIndex].map((c) => {
    const t = tile(c);
    if (layout.spans[c.number]) t.classList.add("wide");
    return t;
  }));
  text($("pager"), pages.length > 1 ? "Halaman " + (pageIndex + 1) + " dari " + pages.length : "");
  Object.assign(window.mppDisplay, { pages: pages.length, page: pageIndex, k: layout.k, cols: layout.cols, rows: layout.rows });
}

// ---- the calls ----------------------------------------------------------------------

// A list filled while it fits its box: the rest waits for the next page (waits) or is
// left out (older calls).
function fill(list, items, make) {
  list.replaceChildren();
  const box = list.parentElement;
  let n = 0;
  for (const item of items) {
    const li = make(item);
    list.append(li);
    // The first always shows (a box too small for one line is a layout still settling).
    if (n > 0 && box.scrollHeight > box.clientHeight + 1) { li.remove(); break; }
    n += 1;
  }
  return n;
}

function renderRecent() {
  // One line per number and counter (a recall does not add a line: it marks it).
  const seen = new Set();
  const calls = board.calls.filter((c) => { const k = c.number + "@" + c.counter; if (seen.has(k)) return false; seen.add(k); return true; }).slice(0, 8);
  fill($("recent"), calls, (c) => {
    const li = el("li");
    li.append(el("span", "n", c.number), el("span", "w", c.counter_name));
    if (c.action === "recall") li.append(el("span", "again", "panggilan ulang"));
    return li;
  });
}

function renderNow() {
  const newest = board.calls[0];
  const now = $("now");
  now.classList.toggle("empty", !newest);
  if (newest) {
    text($("now-label"), newest.action === "recall" ? "Panggilan ulang" : "Nomor antrean");
    text($("now-number"), newest.number);
    text($("now-where"), "silakan ke " + newest.counter_name);
  } else {
    text($("now-label"), "Belum ada panggilan hari ini");
    text($("now-number"), "");
    text($("now-where"), "");
  }
}

function render(data) {
  board = data;
  renderNow();
  renderTiles();
  renderRecent();
  closedOrOpen();
  // Calls not seen before, oldest first: flashed and spoken in order.
  // The first reading only sets the mark: calls made before the page opened are not spoken.
  const fresh = lastSeen === null ? [] : data.calls.filter((c) => c.id > lastSeen).reverse();
  lastSeen = Math.max(lastSeen ?? 0, data.calls.length ? data.calls[0].id : 0);
  if (fresh.length) {
    const now = $("now");
    now.classList.remove("flash"); void now.offsetWidth; now.classList.add("flash");
    for (const c of fresh) {
      speakQueue.push(c);
      window.mppQueued.push(c.number + "@" + c.counter);
    }
    speakNext();
  }
}

// ---- the waits ----------------------------------------------------------------------

let waits = [];
let waitsPage = 0;            // where the next page of waits starts
let waitsShown = 0;           // where the page shown starts (drawn again when its box changes)
function waitWords(line) {
  let words = line.waiting + " menunggu";
  if (line.wait_minutes != null) {
    const m = line.wait_minutes;
    words += " · " + (m < 5 ? "< 5 menit" : m > 120 ? "> 2 jam" : "±" + Math.floor((m + 2) / 5) * 5 + " menit");
  }
  return words;
}
function renderWaits(again) {
  const list = $("waits");
  if (waits.length === 0) { list.replaceChildren(el("li", "quiet", "Tidak ada yang menunggu")); return; }
  const from = again ? waitsShown : waitsPage;
  const start = from > 0 && from < waits.length ? from : 0;
  waitsShown = start;
  const n = fill(list, waits.slice(start), (l) => {
    const li = el("li");
    li.append(el("span", "s", serviceNames[l.service] || l.service), el("span", "c", waitWords(l)));
    return li;
  });
  // All of them shown: the list stays; else the next page starts where this one ended.
  waitsPage = start === 0 && n >= waits.length ? 0 : start + n;
}

// ---- closed, lost -------------------------------------------------------------------

let reloading = false;
function closedOrOpen() {
  const now = serverNow();
  const closes = page.closes === "" ? null : Number(page.closes);
  const opens = page.nextOpen === "" ? null : Number(page.nextOpen);
  // Past the next opening: the page asks for a new schedule (only while the server answers).
  if (opens !== null && now >= opens && !reloading && Date.now() - lastBeat < 5000) { reloading = true; location.reload(); return; }
  const busy = board && board.counters.some(active);
  const recent = board && board.calls[0] && now - Date.parse(board.calls[0].at) < 10 * 60000;
  const closed = closes !== null && now >= closes && !busy && !recent;
  $("closed").hidden = !closed;
  $("now").hidden = closed;
  $("board").hidden = closed;
  text($("opens"), page.nextOpenText || "pada hari layanan berikutnya");
}

let lastBeat = Date.now();
function lost(why) {
  const band = $("lost");
  if (!why) { band.hidden = true; return; }
  text(band, why === "db" ? "Server antrean tidak dapat membaca datanya — nomor di layar mungkin belum terbaru"
    : "Terputus dari server antrean — menyambung lagi …");
  band.hidden = false;
}

let events = null;
function connect() {
  if (events) events.close();
  events = new EventSource("/api/v1/sites/" + encodeURIComponent(page.site) + "/events");
  // Each change brings the calls on the stream itself: nothing is read again.
  events.addEventListener("calls", (e) => render(JSON.parse(e.data)));
  events.addEventListener("queue", (e) => { waits = JSON.parse(e.data).services.filter((l) => l.waiting > 0); waitsPage = 0; renderWaits(); });
  events.addEventListener("beat", (e) => {
    const b = JSON.parse(e.data);
    lastBeat = Date.now();
    offset = b.now - Date.now();
    lost(b.db ? null : "db");
  });
  events.onopen = () => { lastBeat = Date.now(); lost(null); };
  events.onerror = () => {
    lost("server");
    // A refusal (too many displays, a restart's 503) closes the stream for good: open it again.
    if (events.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
  };
}

setInterval(() => { if (Date.now() - lastBeat > 5000) lost("server"); }, 1000);
setInterval(() => {
  clock();
  if (board) closedOrOpen();
}, 1000);
// Pages turn by themselves: the counters' and the waits'.
setInterval(() => {
  if (board && window.mppDisplay.pages > 1) { pageIndex += 1; window.mppDisplay.turns += 1; renderTiles(); }
  if (waits.length) renderWaits();
  const notices = [...document.querySelectorAll("#notices .notice")];
  if (notices.length > 1) {
    const i = notices.findIndex((n) => !n.hidden);
    notices.forEach((n, j) => { n.hidden = j !== (i + 1) % notices.length; });
  }
}, pageSecs * 1000);
document.querySelectorAll("#notices .notice").forEach((n, j) => { n.hidden = j > 0; });
addEventListener("resize", sizes);
// A box that changes size (the call band growing, the window, fonts loaded) is drawn again.
new ResizeObserver(() => { if (board) { renderTiles(); renderRecent(); } renderWaits(true); })
  .observe($("board"));
new ResizeObserver(() => renderWaits(true)).observe(document.querySelector(".waits-box"));
new ResizeObserver(() => { if (board) renderRecent(); }).observe(document.querySelector(".recent-box"));
$("sound-button").addEventListener("click", () => { $("sound").classList.remove("shown"); });
sizes();
clock();
connect();
