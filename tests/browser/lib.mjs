// Shared pieces of the browser scenarios: the browser, problem tracking (console errors,
// page errors, failed requests, requests to other origins), the quality checks run on every
// page, screenshots, and the price-tick handshake with the Rust test.
import { chromium } from "playwright-core";
import { createInterface } from "node:readline";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

export const BASE = (process.env.BASE_URL || "").replace(/\/$/, "");
export const ORIGIN = BASE ? new URL(BASE).origin : "";
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR || "screenshots";
export const ADMIN_LOGIN = process.env.ADMIN_LOGIN || "";
export const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD || "";
export const TOURNAMENT_NAME = process.env.TOURNAMENT_NAME || "Test Cup";
export const TOURNAMENT_ID = process.env.TOURNAMENT_ID || "";

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 375, height: 812 };

/// A failed expectation.
export class Failure extends Error {}

export function expect(cond, message) {
  if (!cond) throw new Failure(message);
}

export async function launch() {
  if (!BASE) throw new Error("BASE_URL is not set");
  const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
  return chromium.launch({
    executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

// ---- price ticks: ask the Rust test to move prices and wait for its answer ----

const stdinLines = [];
const stdinWaiters = [];
let reader = null;

function nextStdinLine() {
  if (!reader) {
    reader = createInterface({ input: process.stdin });
    reader.on("line", (line) => {
      const waiter = stdinWaiters.shift();
      if (waiter) waiter(line);
      else stdinLines.push(line);
    });
  }
  if (stdinLines.length) return Promise.resolve(stdinLines.shift());
  return new Promise((resolve) => stdinWaiters.push(resolve));
}

/// Moves prices on the server: `await tick({ AAA: 110 })` (whole dollars).
export async function tick(prices) {
  const parts = Object.entries(prices).map(([s, p]) => `${s} ${p}`).join(" ");
  process.stdout.write(`TICK ${parts}\n`);
  const answer = await Promise.race([
    nextStdinLine(),
    new Promise((_, reject) => setTimeout(() => reject(new Error("no answer to TICK within 15 s")), 15000)),
  ]);
  expect(answer.trim() === "ok", `tick answered ${JSON.stringify(answer)}`);
}

export function closeStdin() {
  if (reader) reader.close();
  process.stdin.destroy();
}

// ---- problems seen by the browser ----

/// A browser context (one user's cookies) whose problems are collected in `session.problems`.
export async function session(browser, who) {
  const context = await browser.newContext({ viewport: DESKTOP, baseURL: BASE, locale: "en-GB", timezoneId: "Europe/Berlin" });
  context.setDefaultTimeout(10000);
  context.setDefaultNavigationTimeout(15000);
  const problems = [];
  const where = (page) => {
    try {
      return page ? new URL(page.url()).pathname : "?";
    } catch {
      return "?";
    }
  };
  // Documents answered 4xx on purpose (a form re-rendered with its errors, 422): Chromium logs
  // them as console errors; any other 4xx or 5xx is reported by the response check below.
  const expectedDocs = new Set();
  context.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const at = msg.location()?.url || "";
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text()) && expectedDocs.has(at)) return;
    problems.push(`${who}: console error on ${where(msg.page())}: ${msg.text()}${at ? " (" + at + ")" : ""}`);
  });
  context.on("weberror", (err) => problems.push(`${who}: page error on ${where(err.page())}: ${err.error().message}`));
  context.on("request", (req) => {
    let url;
    try {
      url = new URL(req.url());
    } catch {
      return;
    }
    if ((url.protocol === "http:" || url.protocol === "https:" || url.protocol === "ws:" || url.protocol === "wss:") && url.origin !== ORIGIN) {
      problems.push(`${who}: request to another origin: ${req.url()}`);
    }
  });
  context.on("requestfailed", (req) => {
    if (!req.url().startsWith(ORIGIN)) return;
    const error = req.failure()?.errorText || "failed";
    // An open event stream is cut when the page navigates away: not a problem.
    if (error === "net::ERR_ABORTED" && (req.resourceType() === "eventsource" || req.url().includes("/api/v1/stream"))) return;
    problems.push(`${who}: request failed: ${req.method()} ${req.url()}: ${error}`);
  });
  context.on("response", (res) => {
    if (!res.url().startsWith(ORIGIN)) return;
    const status = res.status();
    const type = res.request().resourceType();
    // 422 is how a form comes back with its errors (and 429 a locked sign-in); any other
    // failing status is a broken page or link.
    if (type === "document" && (status === 422 || status === 429)) {
      expectedDocs.add(res.url());
      return;
    }
    if (status >= 400) {
      problems.push(`${who}: ${status} for ${res.request().method()} ${res.url()} (${type})`);
    }
  });
  // Confirmation prompts (form[data-confirm]) are answered yes, as a user going ahead would.
  const dialogs = [];
  context.on("dialog", (d) => {
    dialogs.push(d.message());
    d.accept().catch(() => {});
  });
  const page = await context.newPage();
  return { who, context, page, problems, dialogs };
}

// ---- quality checks on every page ----

let shotNumber = 0;
const inspected = new Map();

/// Checks the page the session is on and takes its screenshots (375 px and 1280 px, full
/// page). `name` describes the page (`trade-ticket`, `lobby`, ...).
export async function inspect(s, name) {
  const { page } = s;
  await page.waitForLoadState("load");
  const count = (inspected.get(name) || 0) + 1;
  inspected.set(name, count);
  const label = count > 1 ? `${name}-${count}` : name;
  const path = new URL(page.url()).pathname;
  const found = [];

  const title = (await page.title()).trim();
  if (!title || /^·/.test(title)) found.push(`empty document title "${title}"`);

  found.push(
    ...(await page.evaluate(() => {
      const out = [];
      const shown = (el) => !el.closest("[hidden]") && getComputedStyle(el).display !== "none";
      const heads = [...document.querySelectorAll("h1,h2,h3,h4,h5,h6")].filter(shown);
      const h1s = heads.filter((h) => h.tagName === "H1");
      if (h1s.length !== 1) out.push(`${h1s.length} h1 elements (want exactly one)`);
      let prev = 0;
      for (const h of heads) {
        const level = Number(h.tagName[1]);
        if (level > prev + 1) out.push(`heading order skips: ${h.tagName.toLowerCase()} "${h.textContent.trim().slice(0, 40)}" after ${prev ? "h" + prev : "the start"}`);
        prev = level;
      }
      const named = (el) => {
        if ((el.getAttribute("aria-label") || "").trim()) return true;
        const by = el.getAttribute("aria-labelledby");
        if (by && by.split(/\s+/).some((id) => (document.getElementById(id)?.textContent || "").trim())) return true;
        return [...(el.labels || [])].some((l) => l.textContent.trim());
      };
      for (const el of document.querySelectorAll("input, select, textarea")) {
        const type = (el.getAttribute("type") || "").toLowerCase();
        if (["hidden", "submit", "button", "reset", "image"].includes(type)) continue;
        if (!named(el)) out.push(`form control without a label: <${el.tagName.toLowerCase()} name="${el.name}" type="${type}">`);
      }
      for (const el of document.querySelectorAll("button, a[href], [role=button]")) {
        const text = (el.textContent || "").trim() || el.getAttribute("aria-label") || el.getAttribute("title") || el.querySelector("img[alt]")?.alt;
        if (!text) out.push(`${el.tagName.toLowerCase()} without an accessible name: ${el.outerHTML.slice(0, 80)}`);
      }
      // Times are shown in the viewer's zone by the page script (it sets the title).
      const unlocalised = [...document.querySelectorAll("time[data-local]")].filter((t) => !t.title);
      if (unlocalised.length) out.push(`${unlocalised.length} time(s) not shown in the viewer's zone: "${unlocalised[0].textContent}"`);
      const ids = new Map();
      for (const el of document.querySelectorAll("[id]")) ids.set(el.id, (ids.get(el.id) || 0) + 1);
      for (const [id, n] of ids) if (n > 1) out.push(`id "${id}" used ${n} times`);
      return out;
    })),
  );

  // Keyboard: Tab from the top reaches a link of the main navigation, and focus is visible.
  await page.evaluate(() => window.scrollTo(0, 0));
  let focus = null;
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press("Tab");
    focus = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || !el.closest('nav[aria-label="Main"]') || el.tagName !== "A") return null;
      const style = getComputedStyle(el);
      const visible =
        (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || (style.boxShadow && style.boxShadow !== "none");
      return { text: el.textContent.trim(), focusVisible: el.matches(":focus-visible"), visible };
    });
    if (focus) break;
  }
  if (!focus) found.push("Tab (10 presses) never reached a link of the main navigation");
  else if (!focus.focusVisible || !focus.visible) found.push(`focus on nav link "${focus.text}" is not visible`);
  await page.evaluate(() => document.activeElement && document.activeElement.blur());

  // Phone width: nothing scrolls sideways; then screenshots at both widths.
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  shotNumber += 1;
  const stem = `${String(shotNumber).padStart(2, "0")}-${label}`;
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(50);
  const overflow = await page.evaluate(() => {
    const width = document.documentElement.scrollWidth;
    if (width <= 375) return null;
    // The outermost elements that stick out (their parent does not).
    const sticks = (el) => el.getBoundingClientRect().right > 376;
    const describe = (el) => {
      const parent = el.parentElement;
      const cls = typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\s+/).join(".") : "";
      return `${parent ? parent.tagName.toLowerCase() + " > " : ""}${el.tagName.toLowerCase()}${cls} (right ${Math.round(el.getBoundingClientRect().right)} px)`;
    };
    const wide = [...document.querySelectorAll("body *")]
      .filter(
        (el) =>
          sticks(el) &&
          el.parentElement &&
          (el.parentElement === document.body || !sticks(el.parentElement) || getComputedStyle(el).position === "absolute"),
      )
      .slice(0, 5)
      .map(describe);
    return { width, wide };
  });
  if (overflow) found.push(`scrolls sideways at 375 px (scrollWidth ${overflow.width}): ${overflow.wide.join(", ")}`);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${stem}-375.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
  await page.waitForTimeout(50);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${stem}-1280.png`), fullPage: true });

  if (found.length) {
    throw new Failure(`quality check of ${label} (${path}) failed:\n    - ${found.join("\n    - ")}`);
  }
  console.log(`  page ok: ${label} (${path}) "${title}"`);
}

/// Waits until `fn` (run in the page) returns a truthy value.
export async function waitInPage(page, fn, arg, message, timeout = 10000) {
  try {
    return await page.waitForFunction(fn, arg, { timeout, polling: 100 });
  } catch (e) {
    throw new Failure(`${message} (waited ${timeout / 1000} s)`);
  }
}

/// The main navigation of a page.
export function nav(page) {
  return page.getByRole("navigation", { name: "Main" });
}

/// Signs in through the form (the page must be the sign-in page).
export async function signInWithForm(page, login, password) {
  await page.getByLabel("Handle or e-mail address").fill(login);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
}

/// Signs out with the navigation's button and checks the page says so.
export async function signOut(s) {
  const { page } = s;
  await nav(page).getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL((url) => url.pathname === "/sign-in");
  await expectVisible(page.getByText("You are signed out."), "the sign-in page says the user is signed out");
  await expectVisible(nav(page).getByRole("link", { name: "Sign in" }), "the navigation offers Sign in again");
}

/// Fails with `message` unless the locator becomes visible.
export async function expectVisible(locator, message, timeout = 10000) {
  try {
    await locator.first().waitFor({ state: "visible", timeout });
  } catch {
    throw new Failure(`not visible: ${message}`);
  }
}
