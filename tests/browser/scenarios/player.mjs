// Scenario: sign up → join the tournament → market and limit orders through the trade ticket
// (preview, then confirm) → position and leaderboard change live after a price tick (no
// reload) → cancel the limit order → sign out.
import { TOURNAMENT_NAME, expect, expectVisible, inspect, nav, signOut, tick, waitInPage } from "../lib.mjs";

export const PLAYER = { handle: "alice", name: "Alice Browser", email: "alice@example.com", password: "alice-password-1" };

/// Signs up through the form, starting from the landing page. With `first`, also checks a
/// refused form (error beside the field) and inspects the pages.
export async function signUp(s, who, { first = false, from = "/" } = {}) {
  const { page } = s;
  if (from === "/") {
    await page.goto("/");
    await nav(page).getByRole("link", { name: "Sign up" }).click();
    await page.waitForURL("**/sign-up");
  }
  if (first) await inspect(s, "sign-up");
  await page.getByLabel("Handle").fill(who.handle);
  await page.getByLabel("Display name").fill(who.name);
  await page.getByLabel("E-mail address").fill(who.email);
  if (first) {
    // A too-short password is refused, with the reason beside the field.
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    const password = page.getByLabel("Password", { exact: true });
    await expectVisible(page.locator("#f-password-error"), "the password error beside the field");
    expect((await password.getAttribute("aria-invalid")) === "true", "the password field is marked invalid");
    expect((await page.getByLabel("Handle").inputValue()) === who.handle, "the handle is kept after an error");
    await inspect(s, "sign-up-error");
  }
  await page.getByLabel("Password", { exact: true }).fill(who.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-up"));
  await expectVisible(nav(page).getByRole("link", { name: who.handle }), "the new user's handle in the navigation");
}

/// From the lobby: opens the test tournament and joins it.
export async function joinTournament(s, { inspectPages = false } = {}) {
  const { page } = s;
  if (new URL(page.url()).pathname !== "/lobby") {
    await nav(page).getByRole("link", { name: "Tournaments" }).click();
    await page.waitForURL("**/lobby");
  }
  await page.getByRole("link", { name: TOURNAMENT_NAME, exact: true }).first().click();
  await page.waitForURL(/\/tournaments\/\d+$/);
  await expectVisible(page.getByRole("heading", { level: 1, name: TOURNAMENT_NAME }), "the tournament page");
  if (inspectPages) await inspect(s, "tournament-before-joining");
  await page.getByRole("button", { name: `Join ${TOURNAMENT_NAME}` }).click();
  await page.waitForURL(/\/tournaments\/\d+/);
  await expectVisible(page.getByText(`You joined ${TOURNAMENT_NAME}`), "the joined notice");
  await expectVisible(page.locator("tr[aria-current=true]"), "the player's own row highlighted on the leaderboard");
  if (inspectPages) await inspect(s, "tournament-joined");
}

/// Fills the trade ticket, previews the order and returns (the preview page is open).
export async function previewOrder(page, { symbol, side = "Buy", type = "Market", tif, qty, limit }) {
  const tabs = page.getByRole("navigation", { name: `${TOURNAMENT_NAME} pages` });
  await tabs.getByRole("link", { name: "Trade" }).click();
  await page.waitForURL(/\/trade(\?|$)/);
  await page.getByLabel("Instrument").selectOption(symbol);
  await page.getByLabel("Side").selectOption({ label: side });
  await page.getByLabel("Order type").selectOption({ label: type });
  if (tif) await page.getByLabel("Time in force").selectOption({ label: tif });
  await page.getByLabel("Quantity (shares)").fill(String(qty));
  if (limit !== undefined) await page.getByLabel(/^Limit price/).fill(String(limit));
  await page.getByRole("button", { name: "Preview order" }).click();
  await page.waitForURL(/\/trade\/preview$/);
  await expectVisible(page.getByRole("heading", { level: 1, name: "Preview your order" }), "the order preview");
}

/// Places the previewed order and returns its id (from the orders page it lands on).
async function confirmOrder(page) {
  await page.getByRole("button", { name: "Place order" }).click();
  await page.waitForURL(/\/orders\?placed=\d+/);
  return new URL(page.url()).searchParams.get("placed");
}

const money = (dollars) => new RegExp(`\\$?${dollars.toLocaleString("en-US").replace(/,/g, ",?")}\\.00`);

export async function playerTradesAndSignsOut(open) {
  const s = await open("alice");
  const { page } = s;
  await signUp(s, PLAYER, { first: true });
  expect(new URL(page.url()).pathname === "/lobby", `after sign-up the player is on ${page.url()}, not the lobby`);
  await inspect(s, "lobby");
  await joinTournament(s, { inspectPages: true });
  const tournamentUrl = page.url().replace(/\?.*$/, "");

  // A market order: preview (estimate and rules), then confirm.
  await previewOrder(page, { symbol: "AAA", qty: 10 });
  await expectVisible(page.getByText("Every rule passes"), "every rule passes for a small market order");
  const value = await page.locator('[data-field="notional"]').textContent();
  expect(money(1000).test(value || ""), `estimated value of 10 AAA at $100 is "${value}"`);
  await expectVisible(page.getByRole("row", { name: /Buying power/ }), "the buying-power rule in the preview");
  await inspect(s, "trade-preview");
  const marketId = await confirmOrder(page);
  await inspect(s, "orders-after-market-order");
  await expectVisible(page.locator(`tr[data-order-id="${marketId}"][data-status="filled"]`), "the market order filled");

  // A limit order below the market stays open.
  await previewOrder(page, { symbol: "BBB", type: "Limit", tif: "Good till canceled", qty: 20, limit: 40 });
  await expectVisible(page.getByText("Every rule passes"), "every rule passes for the limit order");
  const limitId = await confirmOrder(page);
  const limitRow = page.locator(`table[data-orders="open"] tr[data-order-id="${limitId}"]`);
  await expectVisible(limitRow, "the limit order among the open orders");

  // Another limit order fills when the price comes down to it: its status changes live.
  await previewOrder(page, { symbol: "CCC", type: "Limit", qty: 5, limit: 19 });
  const fillId = await confirmOrder(page);
  await expectVisible(page.locator(`tr[data-order-id="${fillId}"][data-status="new"], tr[data-order-id="${fillId}"][data-status="accepted"]`), "the CCC limit order waiting");
  await page.evaluate(() => (window.__stayed = true));
  await tick({ CCC: 19 });
  await waitInPage(
    page,
    (id) => document.querySelector(`tr[data-order-id="${id}"]`)?.dataset.status === "filled",
    fillId,
    "the CCC limit order's status did not change to filled live",
  );
  await expectVisible(page.locator(`tr[data-order-id="${fillId}"] [data-field="status"]`).filter({ hasText: /fill/i }), "the status cell says filled");
  expect(await page.evaluate(() => window.__stayed === true), "the orders page reloaded instead of updating live");

  // The trade ticket itself, with the position held.
  const tabs = page.getByRole("navigation", { name: `${TOURNAMENT_NAME} pages` });
  await tabs.getByRole("link", { name: "Trade" }).click();
  await page.waitForURL(/\/trade$/);
  // Only the price fields the order type uses are shown.
  const limitField = page.getByLabel(/^Limit price/);
  const stopField = page.getByLabel(/^Stop price/);
  expect(!(await limitField.isVisible()) && !(await stopField.isVisible()), "a market order shows no limit or stop price field");
  await page.getByLabel("Order type").selectOption({ label: "Stop limit" });
  await expectVisible(limitField, "the limit price of a stop-limit order");
  await expectVisible(stopField, "the stop price of a stop-limit order");
  await page.getByLabel("Order type").selectOption({ label: "Market" });
  await inspect(s, "trade-ticket");

  // Portfolio and leaderboard, side by side, while the price moves.
  await tabs.getByRole("link", { name: "Portfolio" }).click();
  await page.waitForURL(/\/portfolio$/);
  const position = page.locator('table[data-positions] tr[data-symbol="AAA"]');
  await expectVisible(position, "the AAA position in the portfolio");
  expect((await position.getAttribute("data-qty")) === "10", "the portfolio holds 10 AAA");
  await inspect(s, "portfolio");
  const board = await s.context.newPage();
  await board.goto(tournamentUrl);
  const ownRow = board.locator("tr[aria-current=true]");
  await expectVisible(ownRow, "the player's row on the leaderboard");
  const before = (await ownRow.textContent()) || "";
  for (const p of [page, board]) await p.evaluate(() => (window.__stayed = true));
  // Streams are open before prices move.
  await page.waitForTimeout(500);
  await tick({ AAA: 110 });
  await waitInPage(
    page,
    () => /1,?100\.00/.test(document.querySelector('tr[data-symbol="AAA"] [data-field="market_value"]')?.textContent || ""),
    null,
    "the AAA position's market value did not become $1,100.00 live",
  );
  await waitInPage(
    board,
    (old) => {
      const row = document.querySelector("tr[aria-current=true]");
      return row && row.textContent !== old && /100,?100\.00/.test(row.textContent);
    },
    before,
    "the player's leaderboard row did not show equity $100,100.00 live",
  );
  for (const p of [page, board]) {
    expect(await p.evaluate(() => window.__stayed === true), `${new URL(p.url()).pathname} reloaded instead of updating live`);
  }
  await board.close();

  // Cancel the limit order.
  await tabs.getByRole("link", { name: "Orders" }).click();
  await page.waitForURL(/\/orders$/);
  await inspect(s, "orders");
  // At 375 px the symbol, status and Cancel come first and are on screen without scrolling.
  await page.setViewportSize({ width: 375, height: 812 });
  const cancel = limitRow.getByRole("button", { name: "Cancel the buy of 20 BBB" });
  const wrap = await page.locator('.table-wrap:has(table[data-orders="open"])').boundingBox();
  for (const [what, loc] of [["symbol", limitRow.getByRole("link", { name: "BBB" })], ["status", limitRow.locator('[data-field="status"]')], ["Cancel button", cancel]]) {
    const b = await loc.boundingBox();
    expect(b && wrap && b.x >= wrap.x && b.x + b.width <= wrap.x + wrap.width + 0.5, `the open order's ${what} is off-screen at 375 px (${JSON.stringify(b)})`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await cancel.click();
  await page.waitForURL(/canceled/);
  expect(s.dialogs.some((d) => d === "Cancel the buy of 20 BBB?"), `cancelling asked "Cancel the buy of 20 BBB?" (${s.dialogs})`);
  await expectVisible(page.getByText(`Order ${limitId} canceled.`), "the cancel notice");
  expect((await page.locator(`table[data-orders="open"] tr[data-order-id="${limitId}"]`).count()) === 0, "the canceled order is no longer open");
  await expectVisible(page.locator(`tr[data-order-id="${limitId}"][data-status="canceled"]`), "the canceled order in the history");

  // The dashboard (from the analytics warehouse, which the test server exports every half
  // second), then a report asked for from it, polled live until its download link appears.
  await tabs.getByRole("link", { name: "Dashboard" }).click();
  await page.waitForURL(/\/entries\/\d+\/dashboard$/);
  await expectVisible(page.locator("[data-freshness]"), "the dashboard's freshness note");
  for (let i = 0; i < 20 && !/Data as of/.test((await page.locator("[data-freshness]").textContent()) || ""); i++) {
    await page.waitForTimeout(500);
    await page.reload();
  }
  await expectVisible(page.getByText(/Data as of .* updated every minute/), "the dashboard says how current its data is");
  await expectVisible(page.locator('table[data-history="fills"] tr[data-seq]'), "the player's fills in the history");
  await page.getByLabel("Symbol").fill("AAA");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForURL(/symbol=AAA/);
  expect((await page.locator('table[data-history="fills"] tbody tr').count()) === 1, "the history filtered to the one AAA fill");
  await page.getByRole("navigation", { name: "Compare with" }).getByRole("link", { name: "Whole tournament" }).click();
  await page.waitForURL(/group=tournament/);
  // Inspected from the top of the page (the group link jumps to its section).
  await page.goto(page.url().replace(/#.*$/, ""));
  await inspect(s, "dashboard");
  await page.getByRole("link", { name: "Get a report" }).click();
  await page.waitForURL(/\/reports\?/);
  await page.getByLabel("Format").selectOption({ label: "HTML" });
  await page.getByRole("button", { name: "Ask for the report" }).click();
  await page.waitForURL(/\/reports/);
  const job = page.locator("tr[data-report-job]").first();
  await expectVisible(job, "the report job in the list");
  await expectVisible(job.getByRole("link", { name: /Download/ }), "the report's download link, shown when the job is done", 30000);
  await inspect(s, "reports");
  await page.goto(tournamentUrl);

  // The instrument page with its chart, then the account and key pages.
  await tabs.getByRole("link", { name: "Trade" }).click();
  await page.getByRole("link", { name: "AAA", exact: true }).first().click();
  await page.waitForURL(/\/instruments\/AAA/);
  await expectVisible(page.locator(".chart svg"), "the price chart");
  await inspect(s, "instrument");
  // Candles over one month, with the player's buy marked; hovering shows details.
  await page.getByRole("navigation", { name: "Chart style" }).getByRole("link", { name: "Candles" }).click();
  await page.waitForURL(/style=candles/);
  await page.getByRole("navigation", { name: "Chart range" }).getByRole("link", { name: "1 month" }).click();
  await page.waitForURL(/range=1m/);
  await expectVisible(page.locator(".chart svg"), "the candle chart");
  const box = await page.locator(".chart svg").boundingBox();
  expect(box, "the chart has a size");
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
  await expectVisible(page.locator(".chart .tip"), "the chart's hover details");
  await inspect(s, "instrument-candles");
  // The navigation's Portfolio and Orders lead to this tournament's pages (or a choice).
  for (const [link, heading] of [["Portfolio", "Portfolio"], ["Orders", "Orders"]]) {
    await nav(page).getByRole("link", { name: link }).click();
    await page.waitForLoadState("load");
    await expectVisible(page.getByRole("heading", { level: 1, name: new RegExp(heading) }), `the ${link} page from the navigation`);
    expect(new URL(page.url()).pathname.startsWith(new URL(tournamentUrl).pathname), `the ${link} link leads to ${page.url()}, not the tournament's page`);
    await inspect(s, `nav-${link.toLowerCase()}`);
  }
  await nav(page).getByRole("link", { name: PLAYER.handle }).click();
  await page.waitForURL("**/account");
  await inspect(s, "account");
  await nav(page).getByRole("link", { name: "API keys" }).click();
  await page.waitForURL("**/keys");
  await inspect(s, "keys");

  await signOut(s);
  await inspect(s, "signed-out");
}
