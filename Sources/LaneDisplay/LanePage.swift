import Foundation
import Lane

/// The lane page, embedded (the checkpoint may be offline: no CDN, no external files).
///
/// Made to be read at a glance from 3 m, in sunlight: very large verdict and temperature, black-on-colour with
/// high contrast, and the verdict never carried by colour alone (an icon and words in Vietnamese and English).
/// All data goes into the page through `textContent`, never as HTML.
enum LanePage {
    static func html(lane: LaneDisplayServer.LaneInfo, eventsPath: String, thermalPath: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let config = (try? encoder.encode(LanePageConfig(lane: lane, events: eventsPath, thermal: thermalPath)))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return template.replacingOccurrences(of: "__CONFIG__", with: config.replacingOccurrences(of: "</", with: "<\\/"))
            .replacingOccurrences(of: "__TITLE__", with: escape(lane.name))
    }

    struct LanePageConfig: Encodable {
        var lane: LaneDisplayServer.LaneInfo
        var events: String
        var thermal: String
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static let template = #"""
<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__ · Checkpoint Lane</title>
<style>
  :root { --ok:#0b7a28; --alarm:#c40000; --retry:#ffb400; --idle:#1d2733; }
  * { box-sizing: border-box; }
  html, body { margin:0; height:100%; background:#000; color:#fff; font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; }
  body { display:flex; flex-direction:column; }
  header { display:flex; justify-content:space-between; align-items:center; padding:0.4rem 1rem; font-size:3vh; font-weight:700; background:#111; }
  #conn.lost { color:#ffb400; }
  main { flex:3; display:flex; min-height:0; }
  #verdict { flex:2.2; display:flex; align-items:center; gap:2.5vw; padding:2vh 3vw; background:var(--idle); }
  #verdict.normal { background:var(--ok); }
  #verdict.elevated { background:var(--alarm); }
  #verdict.retry, #verdict.paused, #verdict.uncertain { background:var(--retry); color:#000; }
  /* Out of service: nothing on this screen can be vouched for; grey and black stripes, unlike any verdict. */
  #verdict.offline { background:repeating-linear-gradient(135deg, #3a3a3a 0 4vh, #111 4vh 8vh); color:#fff; }
  #icon { font-size:18vh; line-height:1; min-width:18vh; text-align:center; }
  #words { display:flex; flex-direction:column; }
  #title { font-size:8vh; font-weight:900; letter-spacing:0.02em; line-height:1.05; }
  #subtitle { font-size:4vh; font-weight:700; }
  #temp { font-size:15vh; font-weight:900; line-height:1.05; font-variant-numeric: tabular-nums; }
  #unc { font-size:5vh; font-weight:700; }
  #threshold { font-size:3vh; font-weight:700; opacity:0.9; }
  #thermal { flex:1; position:relative; background:#000; display:flex; align-items:center; justify-content:center; min-width:0; }
  #thermal img, #thermal svg { position:absolute; width:100%; height:100%; object-fit:contain; image-rendering:pixelated; }
  #thermal .nocam { color:#888; font-size:3vh; }
  #prompt { flex:1.3; padding:2vh 3vw; background:#fff; color:#000; display:flex; flex-direction:column; justify-content:center; }
  #prompt-vi { font-size:7vh; font-weight:800; }
  #prompt-en { font-size:3.6vh; }
  #person { padding:1.2vh 3vw; font-size:3.6vh; background:#111; min-height:6vh; }
  #person .warn { color:#ffb400; }
  #status { display:flex; font-size:2.4vh; }
  #status div { flex:1; padding:0.8vh 1vw; border-top:0.6vh solid #333; background:#1a1a1a; }
  #status .ok { border-color:#0b7a28; }
  #status .bad { border-color:#ffb400; background:#3a2a00; color:#ffd34d; font-weight:bold; }
  #status .off { color:#999; }
</style>
</head>
<body>
<header><span id="lane"></span><span id="clock"></span><span id="conn">● …</span></header>
<main>
<section id="verdict" class="idle" aria-live="assertive">
  <div id="icon">●</div>
  <div id="words">
    <div id="title">SẴN SÀNG</div>
    <div id="subtitle">READY</div>
    <div><span id="temp"></span> <span id="unc"></span></div>
    <div id="threshold"></div>
  </div>
</section>
<section id="thermal">
  <span class="nocam" id="nocam">Chưa có hình nhiệt / no thermal image</span>
  <img id="frame" alt="ảnh nhiệt / thermal image" hidden>
  <svg id="marks" viewBox="0 0 160 120" preserveAspectRatio="xMidYMid meet"></svg>
</section>
</main>
<section id="prompt" aria-live="polite"><div id="prompt-vi"></div><div id="prompt-en"></div></section>
<section id="person"></section>
<footer id="status"></footer>
<script>
"use strict";
const CONFIG = __CONFIG__;
const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
// Every icon is a glyph of DejaVu Sans (fonts-dejavu-core, a dependency of the package): a glyph no installed
// font has draws as an empty box (the browser test checks each one).
const VERDICTS = {
  idle:     { icon: "●", title: "SẴN SÀNG", sub: "READY" },
  normal:   { icon: "✔", title: "BÌNH THƯỜNG", sub: "NORMAL · GO AHEAD" },
  elevated: { icon: "⚠", title: "NHIỆT ĐỘ CAO", sub: "KIỂM TRA LẠI · SECONDARY CHECK" },
  uncertain: { icon: "?", title: "CHƯA CHẮC CHẮN", sub: "KIỂM TRA LẠI · NOT CERTAIN, SECONDARY CHECK" },
  retry:    { icon: "↻", title: "ĐO LẠI", sub: "RETRY" },
  paused:   { icon: "❚❚", title: "TẠM DỪNG ĐO", sub: "SCREENING PAUSED" },
  offline:  { icon: "✖", title: "NGỪNG HOẠT ĐỘNG", sub: "OUT OF SERVICE" },
};
// Every glyph the page draws, for the browser test that checks each one has a font.
window.laneGlyphs = Object.values(VERDICTS).map((v) => v.icon).concat(["✔", "✖", "⚠", "●", "–", "±", "°"]);
const OFFLINE_PROMPT = { vi: "Vui lòng chờ cán bộ hướng dẫn", en: "Please wait for the staff" };
// The service sends a heartbeat every second; this long without any message and the page cannot vouch for
// what it shows.
const STALE_MS = 3500;
const REASONS = {
  "too-far": "Quá xa · too far", "too-close": "Quá gần · too close", "one-person-at-a-time": "Nhiều người · several people",
  "moving": "Đang di chuyển · moving", "after-flat-field-correction": "Camera tự hiệu chỉnh · camera recalibrating",
  "reference-missing": "Mất nguồn chuẩn · reference not seen", "reference-moved": "Nguồn chuẩn bị dịch · reference moved",
  "reference-unstable": "Nguồn chuẩn dao động · reference unstable", "face-not-readable": "Không đọc được mặt · face not readable",
  "not-radiometric": "Camera không đo nhiệt · camera not radiometric",
  "reference-outside-image": "Nguồn chuẩn ngoài khung hình · reference outside the image",
  "reference-low-contrast": "Nguồn chuẩn không đủ nóng so với xung quanh · reference barely warmer than the scene",
  "reference-covered": "Nguồn chuẩn bị che · reference covered",
  "implausible-reading": "Số đo bất thường · implausible reading",
};
const DEVICES = [
  ["camera", "Camera"], ["scanner", "Máy quét / Scanner"], ["reference", "Nguồn chuẩn / Reference"],
  ["storage", "Lưu trữ / Storage"], ["speaker", "Loa / Speaker"], ["uplink", "Gửi dữ liệu / Uplink"],
];
for (const [key, label] of DEVICES) {
  const el = document.createElement("div"); el.id = "st-" + key; el.className = "off"; el.textContent = label + " –";
  $("status").appendChild(el);
}
// Tell tests and the latency benchmark when each event arrived (wall clock, ms).
window.laneArrivals = [];
let idleTimer = null, holdUntil = 0, paused = false, offline = true;
// The service's clock minus this page's (from the heartbeat): an event's age is judged on the service's clock,
// so a verdict replayed after a reload is as old as it really is.
let skew = 0;
const serverNow = () => Date.now() + skew;
const eventTime = (e) => { const t = e.at ? Date.parse(e.at) : NaN; return isNaN(t) ? serverNow() : t; };
function setVerdict(kind, temp, unc, reason, threshold) {
  const v = VERDICTS[kind];
  $("verdict").className = kind;
  $("icon").textContent = v.icon;
  $("title").textContent = v.title;
  $("subtitle").textContent = reason ? (REASONS[reason] || reason) : v.sub;
  $("temp").textContent = temp == null ? "" : temp.toFixed(1) + " °C";
  $("unc").textContent = unc == null ? "" : "± " + unc.toFixed(1);
  // The threshold beside the reading: 37.0 next to "ngưỡng 37.5" is not misread as a fever, nor 37.6 as normal.
  $("threshold").textContent = threshold == null ? "" : "Ngưỡng / threshold " + threshold.toFixed(1) + " °C";
  if (kind !== "normal" && kind !== "elevated") mark(null);
}
function setPrompt(p) {
  if (!p || offline) return;
  // While screening is paused nothing may ask a traveller to look at the camera: they wait for the staff.
  if (paused && p.id !== "paused") return;
  $("prompt-vi").textContent = p.vi; $("prompt-en").textContent = p.en;
}
function setPerson(e) {
  const parts = [e.masked_name, e.declaration_kind, e.masked_id, e.masked_birth_date].filter(Boolean);
  $("person").textContent = parts.join(" · ");
  if (e.warnings) { const w = document.createElement("span"); w.className = "warn"; w.textContent = "  ⚠ " + e.warnings.join("; "); $("person").appendChild(w); }
}
// The disc's contrast with the scene and the scene's temperature: a technician tells a hot tent from a covered disc.
function referenceFigures(e) {
  const parts = [];
  if (e.reference_contrast_c != null) parts.push("Δ " + e.reference_contrast_c.toFixed(1) + " °C");
  if (e.scene_c != null) parts.push("cảnh / scene " + e.scene_c.toFixed(1) + " °C");
  return parts.length ? " (" + parts.join(", ") + ")" : "";
}
function setStatus(key, state, text) {
  const el = $("st-" + key); if (!el) return;
  const label = DEVICES.find((d) => d[0] === key)[1];
  el.className = state;
  el.textContent = label + (state === "ok" ? " ✔" + (text ? " " + text : "") : state === "bad" ? " ✖ " + text : " – " + text);
}
function goIdleLater(ms) {
  clearTimeout(idleTimer);
  const idle = () => { if (offline || paused) return; setVerdict("idle"); setPrompt(CONFIG.lane.idlePrompt); $("person").textContent = ""; };
  if (ms <= 0) idle(); else idleTimer = setTimeout(idle, ms);
}
// The page lost the service (or hears nothing from it): no verdict, no device ticks, no image it cannot vouch for.
function goOffline() {
  if (offline) return;
  offline = true; paused = false; holdUntil = 0;
  clearTimeout(idleTimer);
  setVerdict("offline");
  $("prompt-vi").textContent = OFFLINE_PROMPT.vi; $("prompt-en").textContent = OFFLINE_PROMPT.en;
  $("person").textContent = "";
  for (const [key] of DEVICES) setStatus(key, "off", "?");
  $("frame").hidden = true; $("nocam").hidden = false;
  $("conn").className = "lost"; $("conn").textContent = "● mất kết nối / no connection";
}
// Connected again: start from a blank lane; the service replays the devices' states and the lane's last events.
function goOnline() {
  offline = false; paused = false; holdUntil = 0;
  setVerdict("idle"); setPrompt(CONFIG.lane.idlePrompt); $("person").textContent = "";
  $("conn").className = ""; $("conn").textContent = "● trực tuyến / live";
}
// Marks the measurement site (a cross) and the reference disc (a ring) on the thermal image.
function mark(site) {
  const svg = $("marks");
  svg.replaceChildren();
  const ref = CONFIG.lane.reference;
  if (ref) {
    const c = document.createElementNS(SVG, "circle");
    c.setAttribute("cx", ref[0] + 0.5); c.setAttribute("cy", ref[1] + 0.5); c.setAttribute("r", ref[2] + 1.5);
    c.setAttribute("fill", "none"); c.setAttribute("stroke", "#00e5ff"); c.setAttribute("stroke-width", "1");
    svg.appendChild(c);
  }
  if (site) {
    for (const [dx, dy] of [[-6, 0], [6, 0], [0, -6], [0, 6]]) {
      const l = document.createElementNS(SVG, "line");
      l.setAttribute("x1", site[0] + 0.5 + dx / 3); l.setAttribute("y1", site[1] + 0.5 + dy / 3);
      l.setAttribute("x2", site[0] + 0.5 + dx); l.setAttribute("y2", site[1] + 0.5 + dy);
      l.setAttribute("stroke", "#00ff66"); l.setAttribute("stroke-width", "1.2");
      svg.appendChild(l);
    }
  }
}
function handle(e) {
  switch (e.type) {
    case "measured":
      if (paused) break;
      // A verdict replayed after a reload that is older than any traveller still stands is not shown.
      if (serverNow() - eventTime(e) > 30000) break;
      // Elevated below the threshold: the band reaches it, so a fever cannot be ruled out; say so, not "high".
      clearTimeout(idleTimer);
      setVerdict(e.verdict === "elevated" && e.temperature_c < e.threshold_c ? "uncertain" : e.verdict, e.temperature_c, e.uncertainty_c, null, e.threshold_c);
      setPrompt(e.prompt); mark(e.site);
      if (e.referenced === true) setStatus("reference", "ok");
      else if (e.referenced === false) setStatus("reference", "bad", "không có · kiểm tra lại tất cả / none · all to secondary check");
      // An elevated verdict stays on screen long enough for busy staff to see it.
      holdUntil = e.verdict === "elevated" ? eventTime(e) + 20000 : 0;
      break;
    case "retry":
      if (paused || serverNow() < holdUntil) break;
      clearTimeout(idleTimer); setVerdict("retry", null, null, e.reason); setPrompt(e.prompt); break;
    case "paused":
      clearTimeout(idleTimer); holdUntil = 0; paused = false;
      setVerdict("paused", null, null, e.reason); setPrompt(e.prompt); paused = true;
      setStatus("reference", "bad", (REASONS[e.reason] || e.reason) + referenceFigures(e)); break;
    case "resumed": paused = false; setVerdict("idle"); setPrompt(e.prompt); setStatus("reference", "ok"); break;
    // The traveller left: their verdict goes 4 s later (an elevated one after 20 s), counted from when it happened.
    case "left": goIdleLater(Math.max(eventTime(e) + 4000, holdUntil) - serverNow()); break;
    case "scanned": if (serverNow() >= holdUntil) clearTimeout(idleTimer); setPerson(e); setPrompt(e.prompt); break;
    case "scan-rejected": setPrompt(e.prompt); break;
    case "passage": if (e.passage_id != null) setStatus("storage", "ok"); if (e.prompt) setPrompt(e.prompt); if (e.masked_name || e.declaration_kind) setPerson(e); break;
    case "note": if (e.prompt) setPrompt(e.prompt); break;
    case "device": {
      const key = e.device.startsWith("camera") ? "camera" : e.device.startsWith("scanner") ? "scanner" : e.device;
      if (e.status === "online") setStatus(key, "ok", e.reason || "");
      else if (e.status === "offline") setStatus(key, "bad", e.reason || "offline");
      else setStatus(key, "off", e.reason || "");
      break;
    }
  }
}
let source = null, lastMessage = 0;
function connect() {
  source = new EventSource(CONFIG.events);
  // Open is not enough: the page is live from the service's first heartbeat (which comes before its replay).
  source.onopen = () => { lastMessage = Date.now(); };
  source.onerror = () => { goOffline(); };
  // The heartbeat: the service is there, and this is its clock.
  source.addEventListener("alive", (m) => {
    lastMessage = Date.now();
    if (offline) { window.laneConnectedAt = Date.now(); goOnline(); }
    try { const at = Date.parse(JSON.parse(m.data).at); if (!isNaN(at)) skew = at - Date.now(); } catch (err) { console.error(err); }
  });
  source.onmessage = (m) => {
    if (offline) return;
    lastMessage = Date.now();
    let e; try { e = JSON.parse(m.data); } catch (err) { console.error(err); return; }
    window.laneArrivals.push({ t: e.t, type: e.type, at: performance.timeOrigin + performance.now(), sent: e.at ? Date.parse(e.at) : null });
    if (window.laneArrivals.length > 5000) window.laneArrivals.shift();
    try { handle(e); } catch (err) { console.error(err); }
  };
}
// One request at a time; a single failed frame (a busy box) keeps the last image, two seconds of failures mean
// the camera has nothing to show.
let thermalBusy = false, thermalFailures = 0;
function refreshThermal() {
  if (thermalBusy) return;
  thermalBusy = true;
  const next = new Image();
  next.onload = () => {
    thermalBusy = false; thermalFailures = 0;
    if (offline) return;
    const img = $("frame"); img.src = next.src; img.hidden = false; $("nocam").hidden = true;
    $("marks").setAttribute("viewBox", "0 0 " + next.naturalWidth + " " + next.naturalHeight);
  };
  next.onerror = () => {
    thermalBusy = false;
    if (++thermalFailures >= 4) { $("frame").hidden = true; $("nocam").hidden = false; }
  };
  next.src = CONFIG.thermal + "?" + Date.now();
}
$("lane").textContent = CONFIG.lane.name;
// Out of service until the service has answered.
offline = false;
goOffline();
mark(null);
// Silence is loss: a service that hangs, or a connection a proxy keeps open with nothing behind it, turns the
// screen to "out of service" within STALE_MS; a fresh connection is opened.
setInterval(() => {
  if (Date.now() - lastMessage > STALE_MS) { lastMessage = Date.now(); goOffline(); if (source) source.close(); connect(); }
}, 500);
setInterval(() => { $("clock").textContent = new Date().toLocaleTimeString("vi-VN"); }, 1000);
refreshThermal();
setInterval(refreshThermal, 500);
connect();
</script>
</body>
</html>
"""#
}
