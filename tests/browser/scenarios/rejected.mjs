// Scenario: orders the rules refuse show the rule that refused them: in the preview (more
// shares than buying power allows), and at confirmation when buying power was spent elsewhere
// after the preview.
import { TOURNAMENT_NAME, expect, expectVisible, inspect } from "../lib.mjs";
import { joinTournament, previewOrder, signUp } from "./player.mjs";

const CAROL = { handle: "carol", name: "Carol Browser", email: "carol@example.com", password: "carol-password-1" };

export async function rejectedOrderShowsRule(open) {
  const s = await open("carol");
  const { page } = s;
  await signUp(s, CAROL);
  await joinTournament(s);

  // In the preview: 2,000 AAA cost far more than the $100,000 of buying power.
  await previewOrder(page, { symbol: "AAA", qty: 2000 });
  const refusal = page.getByRole("alert").filter({ hasText: "This order would be rejected" });
  await expectVisible(refusal, "the preview says the order would be rejected");
  expect(/by the rule “Buying power”/.test((await refusal.textContent()) || ""), `the refusal names the rule: "${await refusal.textContent()}"`);
  const failed = page.locator('table[data-rules] tr[data-result="fail"]');
  expect((await failed.count()) === 1, `one failed rule in the table, found ${await failed.count()}`);
  expect(((await failed.getByRole("rowheader").textContent()) || "").trim() === "Buying power", "the failed row is Buying power");
  expect((await page.getByRole("button", { name: "Place order" }).count()) === 0, "a refused order cannot be placed");
  await inspect(s, "trade-preview-refused");

  // At confirmation: a preview that passed, then buying power spent in another tab.
  await previewOrder(page, { symbol: "AAA", qty: 800 });
  await expectVisible(page.getByText("Every rule passes"), "800 AAA fit the buying power");
  const other = await s.context.newPage();
  await other.goto(page.url().replace(/\/trade\/preview$/, "/trade"));
  await previewOrder(other, { symbol: "BBB", qty: 1000 });
  await other.getByRole("button", { name: "Place order" }).click();
  await other.waitForURL(/\/orders\?placed=\d+/);
  await other.close();
  await page.getByRole("button", { name: "Place order" }).click();
  await page.waitForURL(/\/trade$/);
  const rejected = page.getByRole("alert").filter({ hasText: "Order rejected" });
  await expectVisible(rejected, "the ticket says the order was rejected");
  expect(/by the rule “Buying power”/.test((await rejected.textContent()) || ""), `the rejection names the rule: "${await rejected.textContent()}"`);
  await expectVisible(page.locator('table[data-rules] tr[data-rule][data-result="fail"]').filter({ hasText: "Buying power" }), "the failed rule in the table");
  // The ticket keeps the order so it can be changed.
  expect((await page.getByLabel("Quantity (shares)").inputValue()) === "800", "the ticket keeps the quantity");
  expect((await page.getByLabel("Instrument").inputValue()) === "AAA", "the ticket keeps the instrument");
  await inspect(s, "trade-rejected");
  const tabs = page.getByRole("navigation", { name: `${TOURNAMENT_NAME} pages` });
  await tabs.getByRole("link", { name: "Orders" }).click();
  await expectVisible(page.getByRole("heading", { level: 1, name: "Orders" }), "the orders page");
}
