// Scenario: a player joins an evaluation challenge, sees each objective and how far from it
// they are, and trades in it.
import { expect, expectVisible, inspect, nav } from "../lib.mjs";
import { signUp } from "./player.mjs";

const CHALLENGE = process.env.CHALLENGE_NAME || "Pro Challenge";
const FRANK = { handle: "frank", name: "Frank Browser", email: "frank@example.com", password: "frank-password-1" };

export async function challengeProgress(open) {
  const s = await open("frank");
  const { page } = s;
  await signUp(s, FRANK);
  if (new URL(page.url()).pathname !== "/lobby") {
    await nav(page).getByRole("link", { name: "Tournaments" }).click();
  }
  await page.getByRole("link", { name: CHALLENGE, exact: true }).first().click();
  await page.waitForURL(/\/tournaments\/\d+$/);
  const objectives = page.getByRole("heading", { level: 2, name: "Challenge objectives" });
  await expectVisible(objectives, "the challenge objectives before joining");
  await expectVisible(page.getByText(/Profit target: 10\.00%/), "the profit target before joining");
  await page.getByRole("button", { name: `Join ${CHALLENGE}` }).click();
  await expectVisible(page.getByText(`You joined ${CHALLENGE}`), "the joined notice");
  await expectVisible(page.locator("[data-challenge-status]"), "the challenge status after joining");
  const rows = page.locator("table.objectives tbody tr[data-objective]");
  expect((await rows.count()) >= 4, `at least 4 objectives with progress, found ${await rows.count()}`);
  await expectVisible(rows.filter({ hasText: /profit/i }), "the profit objective with its progress");
  await inspect(s, "challenge-progress");
}
