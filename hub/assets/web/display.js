// The lobby display: the site's calls, live. The event stream says when anything changed;
// the event brings the calls with it. A call not seen before flashes and is spoken (the WAV the
// server makes: `mpp-hub voice say` gives the same); a recall is a new call and is spoken
// again. Calls are spoken one after another, never over each other. When the server is
// lost the page says so, and the browser reconnects by itself.
"use strict";
const page = document.body.dataset;
const $ = (id) => document.getElementById(id);
let lastSeen = null;          // the newest call id shown
const speakQueue = [];
let speaking = false;
let soundAllowed = true;
// What was queued and what was played (url, start, end), for tests and a technician's console.
window.mppQueued = [];
window.mppSpoken = [];
window.mppPlayed = [];

function text(el, s) { el.textContent = s == null ? "" : String(s); }

// The server's clock, not the TV box's (often wrong, and the server may be pinned for a
// demo): the offset measured when the page was served.
const offset = Number(page.serverNow) - Date.now();

// The site's local time from the zone's offset the server sent (minutes), not the TV
// box's own zone data: formatted as UTC after adding it.
const zoneOffsetMs = Number(page.zoneOffset) * 60000;

function clock() {
  const local = new Date(Date.now() + offset + zoneOffsetMs);
  const fmt = new Intl.DateTimeFormat("id-ID", { timeZone: "UTC", weekday: "long", day: "numeric", month: "long", year: "numeric" });
  const hh = String(local.getUTCHours()).padStart(2, "0");
  const mm = String(local.getUTCMinutes()).padStart(2, "0");
  text($("date"), fmt.format(local));
  text($("time"), hh + "." + mm + " " + page.zoneLabel);
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
  audio.play().catch(() => { soundAllowed = false; $("sound").classList.add("shown"); done(); });
}

function render(data) {
  const tiles = $("tiles");
  tiles.replaceChildren();
  for (const c of data.counters) {
    const tile = document.createElement("div");
    tile.className = "tile" + (c.paused ? " paused" : "");
    const name = document.createElement("div"); name.className = "name"; text(name, c.name);
    const serving = document.createElement("div"); serving.className = "serving"; text(serving, c.paused ? "Jeda" : (c.serving || "—"));
    tile.append(name, serving);
    tiles.append(tile);
  }
  const recent = $("recent");
  recent.replaceChildren();
  for (const call of data.calls.slice(0, 8)) {
    const li = document.createElement("li");
    const n = document.createElement("span"); text(n, call.number);
    const w = document.createElement("span"); text(w, call.counter_name);
    li.append(n, w);
    recent.append(li);
  }
  const newest = data.calls[0];
  if (newest) {
    text($("now-number"), newest.number);
    text($("now-where"), "→ " + newest.counter_name);
  }
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

// Each service with people waiting: how many, and the wait of a number taken now (the
// server's estimate, rounded as on the kiosk; nothing when it has none).
const serviceNames = JSON.parse(document.body.dataset.services || "{}");
function renderWaits(q) {
  const list = $("waits");
  list.replaceChildren();
  for (const line of q.services.filter((l) => l.waiting > 0)) {
    const li = document.createElement("li");
    const n = document.createElement("span"); text(n, serviceNames[line.service] || line.service);
    let words = line.waiting + " menunggu";
    if (line.wait_minutes != null) {
      const m = line.wait_minutes;
      words += " · " + (m < 5 ? "< 5 menit" : m > 120 ? "> 2 jam" : "±" + Math.floor((m + 2) / 5) * 5 + " menit");
    }
    const w = document.createElement("span"); text(w, words);
    li.append(n, w);
    list.append(li);
  }
}

const events = new EventSource("/api/v1/sites/" + encodeURIComponent(page.site) + "/events");
// Each change brings the calls on the stream itself: nothing is read again.
events.addEventListener("calls", (e) => { $("lost").classList.remove("shown"); render(JSON.parse(e.data)); });
events.addEventListener("queue", (e) => renderWaits(JSON.parse(e.data)));
events.onerror = () => $("lost").classList.add("shown");
events.onopen = () => $("lost").classList.remove("shown");
$("sound-button").addEventListener("click", () => { soundAllowed = true; $("sound").classList.remove("shown"); });
clock();
setInterval(clock, 1000);
