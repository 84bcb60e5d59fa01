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

// ---- Player pages: leaderboards, orders, positions, the trade ticket, chart ranges ----
// Amounts travel as decimal strings; they are added up exactly as BigInt counts of 1/10,000
// dollar and shown the way the server shows them.

function units(text) {
  const m = /^(-?)(\d+)(?:\.(\d{1,4}))?$/.exec(String(text == null ? "" : text).trim());
  if (!m) return null;
  const v = BigInt(m[2]) * 10000n + BigInt((m[3] || "").padEnd(4, "0"));
  return m[1] ? -v : v;
}
// 1/10,000 units → "123.4567" (what units() reads back).
function decimalOf(u) {
  const neg = u < 0n, a = neg ? -u : u;
  return (neg ? "-" : "") + (a / 10000n).toString() + "." + (a % 10000n).toString().padStart(4, "0");
}
function groupDigits(s) { return s.replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
// 1/10,000 units → "$1,234.56" (to the cent, halves away from zero).
function usdText(u) {
  const neg = u < 0n, a = neg ? -u : u;
  let cents = a / 100n;
  if (a % 100n >= 50n) cents += 1n;
  const s = groupDigits((cents / 100n).toString()) + "." + (cents % 100n).toString().padStart(2, "0");
  return (neg && cents !== 0n ? "-$" : "$") + s;
}
function signedUsdText(u) { const t = usdText(u); return (t !== "$0.00" && u > 0n ? "+" : "") + t; }
// A price with its significant decimals (at least two): "$101.25", "$0.0525".
function priceText(text) {
  const u = units(text);
  if (u === null) return String(text);
  const neg = u < 0n, a = neg ? -u : u;
  let frac = (a % 10000n).toString().padStart(4, "0");
  frac = frac.endsWith("00") ? frac.slice(0, 2) : frac.replace(/0+$/, "");
  return (neg ? "-$" : "$") + groupDigits((a / 10000n).toString()) + "." + frac;
}
function setTone(el, u) {
  el.classList.remove("up", "down");
  if (u > 0n) el.classList.add("up"); else if (u < 0n) el.classList.add("down");
}
// "+1.25%" / "−10.00%" of now against start, truncated to the basis point (as the server does).
function percentChangeText(now, start) {
  if (start === 0n) return "—";
  const bps = (now - start) * 10000n / start;
  const sign = bps > 0n ? "+" : bps < 0n ? "−" : "";
  const a = bps < 0n ? -bps : bps;
  return sign + (a / 100n).toString() + "." + (a % 100n).toString().padStart(2, "0") + "%";
}
function flash(el) { el.classList.remove("flash-up", "flash-down"); void el.offsetWidth; el.classList.add("flash-up"); }

// Quotes: after the shared handler, cells marked data-format="price" read "$101.25".
const baseQuotes = Bullpen.live.quotes;
Bullpen.live.quotes = (data, el) => {
  baseQuotes(data, el);
  const quotes = Array.isArray(data.quotes) ? data.quotes : [];
  quotes.forEach((q) => {
    document.querySelectorAll('[data-quote="' + CSS.escape(q.symbol) + '"][data-format="price"]').forEach((cell) => {
      cell.textContent = priceText(q.price);
    });
  });
  Bullpen.live.positions(data, el);
};

// Positions: market value, unrealized and day P&L of each row from the new prices, then the
// portfolio summary (equity = cash + Σ market value).
Bullpen.live.positions = (data) => {
  const table = document.querySelector("table[data-positions]");
  const quotes = Array.isArray(data.quotes) ? data.quotes : [];
  if (!table || !quotes.length) return;
  const prices = {};
  quotes.forEach((q) => { const u = units(q.price); if (u !== null) prices[q.symbol] = u; });
  let changed = false;
  table.querySelectorAll("tr[data-symbol]").forEach((tr) => {
    const p = prices[tr.dataset.symbol];
    if (p === undefined) return;
    const qty = BigInt(tr.dataset.qty || "0"), cost = units(tr.dataset.cost) || 0n;
    const mv = qty * p;
    tr.dataset.mv = decimalOf(mv);
    const set = (field, text, tone) => {
      const cell = tr.querySelector('[data-field="' + field + '"]');
      if (!cell) return;
      cell.textContent = text;
      if (tone !== undefined) setTone(cell, tone);
    };
    set("market_value", usdText(mv));
    set("unrealized_pnl", signedUsdText(mv - cost), mv - cost);
    const prev = units(tr.dataset.prevClose);
    if (prev !== null) set("day_change", signedUsdText(qty * (p - prev)), qty * (p - prev));
    changed = true;
  });
  const summary = document.querySelector("[data-summary]");
  if (!changed || !summary) return;
  let mv = 0n, unrealized = 0n;
  table.querySelectorAll("tr[data-symbol]").forEach((tr) => {
    const rowMv = units(tr.dataset.mv) || 0n;
    mv += rowMv;
    unrealized += rowMv - (units(tr.dataset.cost) || 0n);
  });
  const cash = units(summary.dataset.cash) || 0n, start = units(summary.dataset.start) || 0n;
  const prevEquity = units(summary.dataset.prevEquity) || start;
  const equity = cash + mv;
  const cell = (f) => summary.querySelector('[data-field="' + f + '"]');
  const put = (f, text, tone) => { const c = cell(f); if (!c) return; c.textContent = text; if (tone !== undefined) setTone(c, tone); };
  put("equity", usdText(equity));
  put("market_value", usdText(mv));
  put("unrealized_total", signedUsdText(unrealized), unrealized);
  put("day_pnl", signedUsdText(equity - prevEquity), equity - prevEquity);
  put("total_pnl", signedUsdText(equity - start) + " (" + percentChangeText(equity, start) + ")", equity - start);
};

// A live region ([data-live-region]) is fetched again and swapped in after order events
// (rows move between open orders and history; fills change positions and cash). Not while
// the player is typing in it.
let refreshTimer = null;
function refreshRegions() {
  const regions = Array.from(document.querySelectorAll("[data-live-region]"));
  if (!regions.length) return;
  const busy = regions.some((r) => r.contains(document.activeElement) && document.activeElement.matches("input, select, textarea"))
    || regions.some((r) => r.querySelector("details[open]"));
  if (busy) {
    document.querySelectorAll("[data-new-orders]").forEach((n) => { n.hidden = false; });
    return;
  }
  fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then((res) => (res.ok ? res.text() : null))
    .then((html) => {
      if (!html) return;
      const doc = new DOMParser().parseFromString(html, "text/html");
      regions.forEach((old) => {
        const fresh = doc.querySelector('[data-live-region="' + old.dataset.liveRegion + '"]');
        if (!fresh) return;
        old.replaceChildren(...Array.from(fresh.childNodes).map((n) => document.importNode(n, true)));
        localiseTimes(old); wireCharts(old); wireConfirms(old);
      });
    })
    .catch(() => {});
}
function scheduleRefresh() {
  if (refreshTimer) clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => { refreshTimer = null; refreshRegions(); }, 400);
}

// Orders: status, filled quantity and average price by order id; a finished order loses its
// cancel and replace forms at once.
const ORDER_STATUS = {
  pending_new: "Accepted", accepted: "Accepted", new: "Working", partially_filled: "Partly filled",
  filled: "Filled", canceled: "Canceled", expired: "Expired", replaced: "Replaced", rejected: "Rejected",
};
const OPEN_STATUS = new Set(["pending_new", "accepted", "new", "partially_filled"]);
Bullpen.live.orders = (data) => {
  const o = data && data.order;
  if (!o) return;
  const update = (id, status, order) => {
    document.querySelectorAll('tr[data-order-id="' + CSS.escape(String(id)) + '"]').forEach((tr) => {
      tr.dataset.status = status;
      const st = tr.querySelector('[data-field="status"]');
      if (st) { st.textContent = ORDER_STATUS[status] || status; flash(st); }
      if (order) {
        const fq = tr.querySelector('[data-field="filled_qty"]');
        if (fq) fq.textContent = String(order.filled_qty);
        const ap = tr.querySelector('[data-field="filled_avg_price"]');
        if (ap) ap.textContent = order.filled_avg_price ? priceText(order.filled_avg_price) : "—";
      }
      if (!OPEN_STATUS.has(status)) {
        const actions = tr.querySelector('[data-field="actions"]');
        if (actions) actions.replaceChildren();
      }
    });
  };
  if (data.replaced) update(data.replaced, "replaced", null);
  update(o.id, o.status, o);
  scheduleRefresh();
};

// Leaderboards: the rows of the event re-rendered, the player's own row highlighted (and shown
// below the top rows when it ranks lower), and the "You are #n" line.
function scoreText(kind, millionths) {
  const s = Number(millionths);
  if (kind === "percent") return (s >= 0 ? "+" : "") + (s / 1e4).toFixed(2) + "%";
  return (s / 1e6).toFixed(2);
}
function percentileText(p) {
  const top = Math.min(100, Math.max(0, 100 - Number(p)));
  return top < 1 ? "top 1%" : "top " + top.toFixed(0) + "%";
}
Bullpen.live.leaderboard = (data, el) => {
  const table = el.matches("table[data-leaderboard]") ? el : el.querySelector("table[data-leaderboard]");
  if (!table || !Array.isArray(data.rows)) return;
  const me = table.dataset.me, kind = table.dataset.score;
  const row = (r) => {
    const tr = document.createElement("tr");
    tr.dataset.entry = String(r.entry_id);
    const mine = me !== undefined && String(r.entry_id) === me;
    if (mine) { tr.className = "me"; tr.setAttribute("aria-current", "true"); }
    const equity = units(r.equity);
    [String(r.rank), r.name, equity === null ? r.equity : usdText(equity), scoreText(kind, r.score), percentileText(r.percentile)]
      .forEach((text, i) => {
        const td = document.createElement("td");
        td.textContent = text;
        if (i !== 1) td.className = "num";
        tr.appendChild(td);
      });
    if (mine) { const b = document.createElement("span"); b.className = "badge"; b.textContent = "You"; tr.cells[1].append(" ", b); }
    return tr;
  };
  const frag = document.createDocumentFragment();
  data.rows.forEach((r) => frag.appendChild(row(r)));
  if (data.you && !data.rows.some((r) => r.entry_id === data.you.entry_id)) {
    const gap = document.createElement("tr");
    gap.className = "gap"; gap.setAttribute("aria-hidden", "true");
    const td = document.createElement("td"); td.colSpan = 5; td.textContent = "…"; gap.appendChild(td);
    frag.appendChild(gap);
    frag.appendChild(row(data.you));
  }
  table.tBodies[0].replaceChildren(frag);
  const you = document.querySelector("[data-you]");
  if (you && data.you) {
    const set = (f, text) => { const c = you.querySelector('[data-field="' + f + '"]'); if (c) c.textContent = text; };
    set("rank", "#" + data.you.rank);
    set("entries", String(data.entries));
    set("percentile", percentileText(data.you.percentile));
  }
};

// Trade ticket: only the price fields the chosen order type uses are shown.
function wireTicket(root) {
  root.querySelectorAll("form[data-ticket]").forEach((form) => {
    const type = form.querySelector('select[name="type"]');
    if (!type) return;
    const sync = () => {
      const t = type.value;
      form.querySelectorAll("[data-needs]").forEach((f) => {
        const needs = f.dataset.needs === "limit" ? (t === "limit" || t === "stop_limit") : (t === "stop" || t === "stop_limit");
        f.hidden = !needs && !f.classList.contains("has-error");
      });
    };
    type.addEventListener("change", sync);
    sync();
  });
}

// Chart ranges: the range and style links swap the chart in place (the links work without
// the script too).
function wireRanges(root) {
  root.querySelectorAll("[data-chart-region]").forEach((region) => {
    region.addEventListener("click", (e) => {
      const a = e.target.closest("nav.range a");
      if (!a || e.ctrlKey || e.metaKey || e.shiftKey) return;
      e.preventDefault();
      fetch(a.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then((res) => (res.ok ? res.text() : null))
        .then((html) => {
          if (!html) { window.location.href = a.href; return; }
          const fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-chart-region]");
          if (!fresh) { window.location.href = a.href; return; }
          region.replaceChildren(...Array.from(fresh.childNodes).map((n) => document.importNode(n, true)));
          wireCharts(region);
          window.history.replaceState(null, "", a.href);
          const current = region.querySelector('nav.range a[aria-current="true"]');
          if (current) current.focus();
        })
        .catch(() => { window.location.href = a.href; });
    });
  });
}
document.addEventListener("bullpen:ready", () => { wireTicket(document); wireRanges(document); });

// Report jobs: each queued or running job is polled until it finishes; its status and then
// its download link are filled in place (without the script, reloading the page shows them).
const REPORT_STATES = { queued: "Queued", running: "Running", done: "Done", failed: "Failed" };
function showJob(row, job) {
  let text = REPORT_STATES[job.state] || job.state;
  if (job.state === "queued" || job.state === "running") text += ` (${job.progress_percent}%, ${job.stage})`;
  if (job.error) text += `: ${job.error}`;
  const status = row.querySelector('[data-field="status"]');
  if (status) status.textContent = text;
  if (job.download_url) {
    const a = document.createElement("a");
    a.href = job.download_url;
    a.download = job.file_name;
    a.textContent = "Download ";
    const name = document.createElement("span");
    name.className = "visually-hidden";
    name.textContent = job.file_name;
    a.append(name);
    const cell = row.querySelector('[data-field="download"]');
    if (cell) cell.replaceChildren(a);
  }
  if (job.state === "done" || job.state === "failed") delete row.dataset.live;
}
function pollReports(root) {
  const rows = Array.from(root.querySelectorAll("tr[data-report-job][data-live]"));
  if (!rows.length) return;
  const tick = () => {
    const live = rows.filter((r) => r.dataset.live);
    if (!live.length) return;
    Promise.all(live.map((row) =>
      fetch(`/api/v1/reports/${row.dataset.reportJob}`, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((res) => (res.ok ? res.json() : null))
        .then((job) => { if (job) showJob(row, job); })
        .catch(() => {})
    )).then(() => setTimeout(tick, 1000));
  };
  setTimeout(tick, 500);
}
document.addEventListener("bullpen:ready", () => pollReports(document));
