import Foundation

/// The supervisor's page: an empty shell that asks for the token once per browser tab, then polls the API every
/// 5 s. Data goes in through `textContent` (and the chart as a parsed SVG document from our own server), never
/// as HTML.
enum SupervisorPage {
    static func html(title: String) -> String {
        template.replacingOccurrences(of: "__TITLE__", with: LanePage.escape(title))
    }

    static let template = #"""
<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__ · Giám sát / Supervisor</title>
<style>
  body { margin:0; font-family:"DejaVu Sans","Noto Sans",Arial,sans-serif; background:#f4f4f4; color:#111; font-size:17px; }
  header { background:#1d2733; color:#fff; padding:0.6rem 1rem; display:flex; justify-content:space-between; font-size:1.3rem; font-weight:bold; }
  main { padding:1rem; display:grid; gap:1rem; grid-template-columns: 1fr 1fr; }
  section { background:#fff; border:1px solid #ccc; padding:0.8rem; }
  h2 { margin:0 0 0.5rem; font-size:1.15rem; }
  .wide { grid-column: 1 / 3; }
  table { border-collapse:collapse; width:100%; }
  td, th { border-bottom:1px solid #ddd; padding:0.3rem 0.4rem; text-align:left; }
  .elevated { color:#c40000; font-weight:bold; }
  .lane { display:inline-block; margin:0 1rem 0.5rem 0; padding:0.5rem; border:2px solid #0b7a28; min-width:14rem; }
  .lane.bad { border-color:#c40000; }
  .bad-dev { color:#c40000; font-weight:bold; }
  #login { max-width:28rem; margin:4rem auto; background:#fff; padding:1.5rem; border:1px solid #ccc; }
  input { font-size:1.1rem; padding:0.3rem; }
  button { font-size:1.05rem; padding:0.3rem 0.8rem; }
  #error { color:#c40000; font-weight:bold; }
</style>
</head>
<body>
<header><span>__TITLE__ · Giám sát / Supervisor</span><span id="updated"></span></header>
<div id="login" hidden>
  <p>Nhập mã giám sát / Enter the supervisor token</p>
  <form id="login-form"><input id="token" type="password" autocomplete="off" size="30"> <button>OK</button></form>
  <p id="login-error" class="elevated"></p>
</div>
<div id="app" hidden>
<p id="error"></p>
<main>
  <section class="wide"><h2>Các làn / Lanes</h2><div id="lanes"></div></section>
  <section class="wide"><h2>⚠ Chờ kiểm tra lại / Awaiting secondary check</h2>
    <table><thead><tr><th>#</th><th>Giờ / Time</th><th>Làn / Lane</th><th>Nhiệt độ / Temp</th><th>Người / Person</th><th>Nhiệt kế / Clinical °C</th><th>Cán bộ / Staff</th><th></th></tr></thead>
    <tbody id="alarms"></tbody></table><p id="no-alarms">Không có / None</p></section>
  <section class="wide"><h2>Lượt qua theo giờ hôm nay / Passages per hour today</h2><div id="chart"></div></section>
  <section><h2>Lượt qua gần đây / Recent passages</h2>
    <table><thead><tr><th>Giờ</th><th>Làn</th><th>Kết quả</th><th>°C</th><th>Giấy tờ</th><th>Người</th></tr></thead><tbody id="recent"></tbody></table></section>
  <section><h2>Đã kiểm tra lại / Secondary checks</h2>
    <table><thead><tr><th>#</th><th>Giờ</th><th>Sàng lọc °C</th><th>Nhiệt kế °C</th></tr></thead><tbody id="checks"></tbody></table></section>
</main>
</div>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem("supervisor-token");
function row(cells, cls) {
  const tr = document.createElement("tr");
  for (const c of cells) { const td = document.createElement("td"); if (c instanceof Node) td.appendChild(c); else td.textContent = c == null ? "–" : String(c); tr.appendChild(td); }
  if (cls) tr.className = cls;
  return tr;
}
const time = (iso) => iso ? new Date(iso).toLocaleTimeString("vi-VN") : "–";
const temp = (t) => t == null ? "–" : t.toFixed(1);
async function api(path, options) {
  const response = await fetch("/supervisor/api/" + path, Object.assign({ headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" } }, options || {}));
  if (response.status === 401) { sessionStorage.removeItem("supervisor-token"); token = null; showLogin("Mã không đúng / wrong token"); throw new Error("unauthorized"); }
  if (!response.ok) throw new Error(await response.text());
  return response;
}
function showLogin(message) { $("app").hidden = true; $("login").hidden = false; $("login-error").textContent = message || ""; }
$("login-form").onsubmit = (e) => { e.preventDefault(); token = $("token").value.trim(); sessionStorage.setItem("supervisor-token", token); start(); };
async function record(id, clinical, staff) {
  try {
    await api("alarms/" + id + "/check", { method: "POST", body: JSON.stringify({ clinical_c: Number(clinical.value.replace(",", ".")), staff: staff.value.trim() }) });
    $("error").textContent = ""; refresh();
  } catch (err) { $("error").textContent = String(err.message || err); }
}
async function refresh() {
  try {
    const data = await (await api("overview")).json();
    $("lanes").replaceChildren(...data.lanes.map((l) => {
      const div = document.createElement("div"); div.className = "lane";
      const name = document.createElement("b"); name.textContent = l.name; div.appendChild(name);
      const devices = Object.entries(l.health).sort();
      if (devices.some(([, s]) => s !== "online")) div.className = "lane bad";
      for (const [device, state] of devices) {
        const p = document.createElement("div"); p.textContent = (state === "online" ? "✔ " : "✖ ") + device + ": " + state;
        if (state !== "online") p.className = "bad-dev"; div.appendChild(p);
      }
      return div;
    }));
    $("alarms").replaceChildren(...data.alarms.map((a) => {
      const clinical = document.createElement("input"); clinical.size = 5; clinical.inputMode = "decimal"; clinical.className = "clinical";
      const staff = document.createElement("input"); staff.size = 6; staff.className = "staff";
      const button = document.createElement("button"); button.textContent = "Ghi nhận / Record"; button.onclick = () => record(a.passage_id, clinical, staff);
      return row([a.passage_id, time(a.recorded_at), a.lane, "⚠ " + temp(a.temperature_c), [a.masked_name, a.declaration_kind, a.id_last4 && "…" + a.id_last4].filter(Boolean).join(" · "), clinical, staff, button], "elevated");
    }));
    $("no-alarms").hidden = data.alarms.length > 0;
    $("recent").replaceChildren(...data.recent.map((p) => row([time(p.recorded_at), p.lane, p.verdict === "elevated" ? "⚠ cao" : p.verdict === "normal" ? "✔ bình thường" : "– chưa đo", temp(p.temperature_c), p.declaration_kind, p.masked_name], p.verdict === "elevated" ? "elevated" : "")));
    $("checks").replaceChildren(...data.checks.map((c) => row([c.passage_id, time(c.checked_at), temp(c.temperature_c), temp(c.clinical_c)])));
    const svg = await (await api("chart.svg?date=" + data.date)).text();
    const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
    $("chart").replaceChildren(document.importNode(doc.documentElement, true));
    $("updated").textContent = new Date().toLocaleTimeString("vi-VN");
  } catch (err) { if (String(err.message) !== "unauthorized") $("error").textContent = "Lỗi / error: " + (err.message || err); }
}
function start() { $("login").hidden = true; $("app").hidden = false; refresh(); }
if (token) start(); else showLogin();
setInterval(() => { if (token) refresh(); }, 5000);
</script>
</body>
</html>
"""#
}
