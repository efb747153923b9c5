import Foundation
import Lane

/// The lane page, embedded (the checkpoint may be offline: no CDN, no external files).
///
/// Made to be read at a glance from 3 m, in sunlight: very large verdict and temperature, black-on-colour with
/// high contrast, and the verdict never carried by colour alone (an icon and words in Vietnamese and English).
/// All data goes into the page through `textContent`, never as HTML.
enum LanePage {
    static func html(lane: LaneDisplayServer.LaneInfo, eventsPath: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let config = (try? encoder.encode(LanePageConfig(lane: lane, events: eventsPath)))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return template.replacingOccurrences(of: "__CONFIG__", with: config.replacingOccurrences(of: "</", with: "<\\/"))
            .replacingOccurrences(of: "__TITLE__", with: escape(lane.name))
    }

    struct LanePageConfig: Encodable {
        var lane: LaneDisplayServer.LaneInfo
        var events: String
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
  :root { --ok:#0b7a28; --alarm:#c40000; --retry:#ffb400; --idle:#1d2733; --ink:#fff; }
  * { box-sizing: border-box; }
  html, body { margin:0; height:100%; background:#000; color:#fff; font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; }
  body { display:flex; flex-direction:column; }
  header { display:flex; justify-content:space-between; align-items:center; padding:0.4rem 1rem; font-size:1.4rem; background:#111; }
  #conn.lost { color:#ffb400; font-weight:bold; }
  #verdict { flex: 3; display:flex; align-items:center; gap:2.5vw; padding:2vh 3vw; background:var(--idle); transition: background 0.15s; }
  #verdict.normal { background:var(--ok); }
  #verdict.elevated { background:var(--alarm); }
  #verdict.retry, #verdict.paused { background:var(--retry); color:#000; }
  #icon { font-size:18vh; line-height:1; min-width:18vh; text-align:center; }
  #words { display:flex; flex-direction:column; }
  #title { font-size:8vh; font-weight:900; letter-spacing:0.02em; }
  #subtitle { font-size:4vh; font-weight:700; }
  #temp { font-size:15vh; font-weight:900; line-height:1.05; font-variant-numeric: tabular-nums; }
  #unc { font-size:5vh; font-weight:700; }
  #prompt { flex:1.4; padding:2vh 3vw; background:#fff; color:#000; display:flex; flex-direction:column; justify-content:center; }
  #prompt-vi { font-size:7vh; font-weight:800; }
  #prompt-en { font-size:3.6vh; }
  #person { padding:1.2vh 3vw; font-size:3.6vh; background:#111; min-height:6vh; }
  #person .warn { color:#ffb400; }
  #status { display:flex; gap:0; font-size:2.6vh; }
  #status div { flex:1; padding:0.8vh 1vw; border-top:4px solid #333; background:#1a1a1a; }
  #status .ok { border-color:#0b7a28; }
  #status .bad { border-color:#ffb400; background:#332400; font-weight:bold; }
</style>
</head>
<body>
<header><span id="lane"></span><span id="clock"></span><span id="conn">●</span></header>
<section id="verdict" class="idle" aria-live="assertive">
  <div id="icon">⌛</div>
  <div id="words">
    <div id="title">SẴN SÀNG</div>
    <div id="subtitle">READY</div>
    <div><span id="temp"></span> <span id="unc"></span></div>
  </div>
</section>
<section id="prompt" aria-live="polite"><div id="prompt-vi"></div><div id="prompt-en"></div></section>
<section id="person"></section>
<footer id="status">
  <div id="st-camera">Camera –</div><div id="st-scanner">Máy quét / Scanner –</div>
  <div id="st-reference">Nguồn chuẩn / Reference –</div><div id="st-storage" class="ok">Lưu trữ / Storage ✔</div>
  <div id="st-uplink">Gửi dữ liệu / Uplink –</div>
</footer>
<script>
"use strict";
const CONFIG = __CONFIG__;
const $ = (id) => document.getElementById(id);
const VERDICTS = {
  idle:     { icon: "⌛", title: "SẴN SÀNG", sub: "READY" },
  normal:   { icon: "✔", title: "BÌNH THƯỜNG", sub: "NORMAL" },
  elevated: { icon: "⚠", title: "NHIỆT ĐỘ CAO · KIỂM TRA LẠI", sub: "ELEVATED · SECONDARY CHECK" },
  retry:    { icon: "↻", title: "ĐO LẠI", sub: "RETRY" },
  paused:   { icon: "⏸", title: "TẠM DỪNG ĐO", sub: "SCREENING PAUSED" },
};
let idleTimer = null;
function setVerdict(kind, temp, unc) {
  const v = VERDICTS[kind];
  $("verdict").className = kind;
  $("icon").textContent = v.icon;
  $("title").textContent = v.title;
  $("subtitle").textContent = v.sub;
  $("temp").textContent = temp == null ? "" : temp.toFixed(1) + " °C";
  $("unc").textContent = unc == null ? "" : "± " + unc.toFixed(1);
}
function setPrompt(p) { if (!p) return; $("prompt-vi").textContent = p.vi; $("prompt-en").textContent = p.en; }
function setPerson(e) {
  const parts = [e.masked_name, e.declaration_kind, e.masked_id, e.masked_birth_date].filter(Boolean);
  $("person").textContent = parts.join(" · ");
  if (e.warnings) { const w = document.createElement("span"); w.className = "warn"; w.textContent = "  ⚠ " + e.warnings.join("; "); $("person").appendChild(w); }
}
function setStatus(id, label, ok, text) { const el = $(id); el.className = ok ? "ok" : "bad"; el.textContent = label + " " + (ok ? "✔" : "✖ " + text); }
function goIdleLater() { clearTimeout(idleTimer); idleTimer = setTimeout(() => { setVerdict("idle"); setPrompt(CONFIG.lane.idlePrompt); $("person").textContent = ""; }, 4000); }
function handle(e) {
  switch (e.type) {
    case "measured": clearTimeout(idleTimer); setVerdict(e.verdict, e.temperature_c, e.uncertainty_c); setPrompt(e.prompt); break;
    case "retry": clearTimeout(idleTimer); setVerdict("retry"); setPrompt(e.prompt); break;
    case "paused": setVerdict("paused"); setPrompt(e.prompt); setStatus("st-reference", "Nguồn chuẩn / Reference", false, e.reason); break;
    case "resumed": setVerdict("idle"); setPrompt(e.prompt); setStatus("st-reference", "Nguồn chuẩn / Reference", true); break;
    case "left": goIdleLater(); break;
    case "scanned": clearTimeout(idleTimer); setPerson(e); setPrompt(e.prompt); break;
    case "scan-rejected": setPrompt(e.prompt); break;
    case "passage": if (e.prompt) setPrompt(e.prompt); if (e.masked_name || e.declaration_kind) setPerson(e); break;
    case "note": if (e.prompt) setPrompt(e.prompt); break;
    case "device": {
      const cam = e.device && e.device.startsWith("camera");
      setStatus(cam ? "st-camera" : "st-scanner", cam ? "Camera" : "Máy quét / Scanner", e.status === "online", "offline");
      break;
    }
  }
}
function connect() {
  const source = new EventSource(CONFIG.events);
  source.onopen = () => { $("conn").className = ""; $("conn").textContent = "● live"; };
  source.onerror = () => { $("conn").className = "lost"; $("conn").textContent = "● mất kết nối / reconnecting"; };
  source.onmessage = (m) => { try { handle(JSON.parse(m.data)); } catch (err) { console.error(err); } };
}
$("lane").textContent = CONFIG.lane.name;
setVerdict("idle");
setPrompt(CONFIG.lane.idlePrompt);
setInterval(() => { $("clock").textContent = new Date().toLocaleTimeString("vi-VN"); }, 1000);
connect();
</script>
</body>
</html>
"""#
}
