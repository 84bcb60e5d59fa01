// Scenario: sign up → join the tournament → market and limit orders through the trade ticket
// (preview, then confirm) → position and leaderboard change live after a price tick (no
// reload) → cancel the limit order → sign out.
import { expect, expectVisible, inspect, nav, signOut } from "../lib.mjs";

export const PLAYER = { handle: "alice", name: "Alice Browser", email: "alice@example.com", password: "alice-password-1" };

export async function signUp(s, who, { first = false } = {}) {
  const { page } = s;
  await page.goto("/");
  await nav(page).getByRole("link", { name: "Sign up" }).click();
  await page.waitForURL("**/sign-up");
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
    expect(((await page.getByLabel("Handle").inputValue()) === who.handle), "the handle is kept after an error");
    await inspect(s, "sign-up-error");
  }
  await page.getByLabel("Password", { exact: true }).fill(who.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-up"));
  await expectVisible(nav(page).getByRole("link", { name: who.handle }), "the new user's handle in the navigation");
}

export async function playerTradesAndSignsOut(open) {
  const s = await open("alice");
  await signUp(s, PLAYER, { first: true });
  const { page } = s;
  expect(new URL(page.url()).pathname === "/lobby", `after sign-up the player is on ${page.url()}, not the lobby`);
  await inspect(s, "lobby");
  throw new Error("the rest of this scenario waits for the lobby, tournament and trade pages");
}
