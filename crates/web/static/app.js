// Bullpen page script: local times, live updates over server-sent events, chart hover and
// crosshair, confirmations. Hand-written, no dependencies, loaded from our own origin.
"use strict";

// Times: <time datetime="..." data-local> shown in the viewer's time zone.
function localiseTimes(root) {
  const fmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  root.querySelectorAll("time[data-local]").forEach((el) => {
    const d = new Date(el.getAttribute("datetime"));
    if (!isNaN(d)) { el.textContent = fmt.format(d); el.title = el.getAttribute("datetime"); }
  });
}

// Live updates: an element with data-stream="/api/v1/stream?..." opens an EventSource; each
// event is dispatched to elements registered with data-live="<event name>" inside the page.
// Handlers are registered by name in Bullpen.live (pages add their own).
const Bullpen = { live: {} };
window.Bullpen = Bullpen;

function startStreams() {
  document.querySelectorAll("[data-stream]").forEach((el) => {
    if (!window.EventSource) return;
    const source = new EventSource(el.getAttribute("data-stream"));
    const names = (el.getAttribute("data-events") || "quotes,orders,leaderboard").split(",");
    names.forEach((name) => {
      source.addEventListener(name, (event) => {
        let data;
        try { data = JSON.parse(event.data); } catch (e) { return; }
        const handler = Bullpen.live[name];
        if (handler) handler(data, el);
      });
    });
  });
}

// Quotes: cells with data-quote="SYMBOL" show the last price and flash on change.
Bullpen.live.quotes = (data) => {
  const quotes = data.quotes || data;
  (Array.isArray(quotes) ? quotes : []).forEach((q) => {
    document.querySelectorAll('[data-quote="' + CSS.escape(q.symbol) + '"]').forEach((cell) => {
      const old = parseFloat(cell.textContent.replace(/[^0-9.-]/g, ""));
      const now = parseFloat(q.price);
      cell.textContent = q.price;
      cell.classList.remove("flash-up", "flash-down");
      if (!isNaN(old) && now !== old) { void cell.offsetWidth; cell.classList.add(now > old ? "flash-up" : "flash-down"); }
    });
  });
};

// Chart hover: any .chart svg with data-values on polylines/points shows a tooltip and a
// crosshair at the nearest point.
function wireCharts(root) {
  root.querySelectorAll(".chart").forEach((box) => {
    const svg = box.querySelector("svg");
    if (!svg || box.dataset.wired) return;
    box.dataset.wired = "1";
    const tip = document.createElement("div");
    tip.className = "tip"; tip.hidden = true; box.appendChild(tip);
    const ns = "http://www.w3.org/2000/svg";
    const cross = svg.querySelector(".bp-crosshair");
    const vline = document.createElementNS(ns, "line");
    vline.setAttribute("stroke", "#888"); vline.setAttribute("stroke-dasharray", "3 3");
    if (cross) cross.appendChild(vline);
    const points = [];
    svg.querySelectorAll("polyline[data-values]").forEach((pl) => {
      const xy = pl.getAttribute("points").trim().split(/\s+/).map((p) => p.split(",").map(Number));
      const vals = pl.getAttribute("data-values").split(";").filter(Boolean);
      const name = pl.getAttribute("data-series") || "";
      xy.forEach((p, i) => points.push({ x: p[0], y: p[1], text: name + " " + (vals[i] || "").replace("|", ": ") }));
    });
    svg.querySelectorAll("[data-values]:not(polyline)").forEach((el) => {
      const b = el.getBBox ? el.getBBox() : null;
      if (b) points.push({ x: b.x + b.width / 2, y: b.y + b.height / 2, text: el.getAttribute("data-values").replace(/\|/g, " · ") });
    });
    if (!points.length) return;
    const show = (clientX, clientY) => {
      const pt = svg.createSVGPoint(); pt.x = clientX; pt.y = clientY;
      const m = svg.getScreenCTM(); if (!m) return;
      const p = pt.matrixTransform(m.inverse());
      let best = points[0], bestD = Infinity;
      points.forEach((q) => { const d = Math.abs(q.x - p.x) + Math.abs(q.y - p.y) * 0.2; if (d < bestD) { bestD = d; best = q; } });
      const vb = svg.viewBox.baseVal;
      vline.setAttribute("x1", best.x); vline.setAttribute("x2", best.x);
      vline.setAttribute("y1", 0); vline.setAttribute("y2", vb ? vb.height : 0);
      tip.textContent = best.text; tip.hidden = false;
      const rect = box.getBoundingClientRect(), scale = rect.width / (vb ? vb.width : rect.width);
      tip.style.left = Math.min(best.x * scale + 8, rect.width - tip.offsetWidth) + "px";
      tip.style.top = Math.max(best.y * scale - 28, 0) + "px";
    };
    svg.addEventListener("mousemove", (e) => show(e.clientX, e.clientY));
    svg.addEventListener("touchstart", (e) => { const t = e.touches[0]; if (t) show(t.clientX, t.clientY); }, { passive: true });
    svg.addEventListener("mouseleave", () => { tip.hidden = true; vline.removeAttribute("x1"); vline.removeAttribute("x2"); });
  });
}

// Forms with data-confirm ask before submitting.
function wireConfirms(root) {
  root.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (e) => { if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault(); });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  localiseTimes(document);
  wireCharts(document);
  wireConfirms(document);
  startStreams();
  document.dispatchEvent(new CustomEvent("bullpen:ready"));
});

// Admin tournament form: the challenge objectives matter only when the kind is "challenge";
// they are hidden (not removed) otherwise. Without the script they stay visible with a note.
function wireChallengeFields(root) {
  root.querySelectorAll("form.rules").forEach((form) => {
    const kind = form.querySelector('select[name="kind"]');
    const box = form.querySelector("[data-challenge]");
    if (!kind || !box) return;
    const sync = () => { box.hidden = kind.value !== "challenge"; };
    kind.addEventListener("change", sync);
    sync();
  });
}
document.addEventListener("bullpen:ready", () => wireChallengeFields(document));
