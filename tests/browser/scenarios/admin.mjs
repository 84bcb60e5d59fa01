// Scenario: an admin signs in and creates a tournament with custom rules, then sees it listed.
import { ADMIN_LOGIN, ADMIN_PASSWORD, expect, expectVisible, inspect, nav, signOut } from "../lib.mjs";

export const NEW_TOURNAMENT = "Browser Invitational";

export async function adminCreatesTournament(open) {
  const s = await open("admin");
  const { page } = s;

  await page.goto("/");
  await inspect(s, "home-signed-out");
  await nav(page).getByRole("link", { name: "Tournaments" }).click();
  await page.waitForURL("**/lobby");
  await inspect(s, "lobby-signed-out");

  // Password reset pages (the request answers the same whether or not the address is known).
  await nav(page).getByRole("link", { name: "Sign in" }).click();
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.waitForURL("**/reset");
  await inspect(s, "reset");
  await page.getByLabel("E-mail address").fill("nobody@example.com");
  await page.getByRole("button", { name: "Send reset link" }).click();
  await page.waitForURL(/\/reset\?sent=1/);
  await expectVisible(page.getByText("a message with a reset link is on its way"), "the reset request is acknowledged");
  await page.goto("/reset/confirm");
  await expectVisible(page.getByLabel("Reset code from the message"), "the reset form asks for the code");
  await inspect(s, "reset-confirm");

  // Opening an admin page while signed out asks to sign in first, then comes back.
  await page.goto("/admin");
  await page.waitForURL((url) => url.pathname === "/sign-in");
  await inspect(s, "sign-in");
  // With the keyboard only: type, Tab to the password, Enter submits.
  await page.getByLabel("Handle or e-mail address").focus();
  await page.keyboard.type(ADMIN_LOGIN);
  await page.keyboard.press("Tab");
  expect(await page.getByLabel("Password", { exact: true }).evaluate((el) => el === document.activeElement), "Tab moves from the login to the password");
  await page.keyboard.type(ADMIN_PASSWORD);
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
  expect(new URL(page.url()).pathname === "/admin", `after sign-in the admin is on ${page.url()}, not /admin`);
  await expectVisible(page.getByRole("heading", { level: 1, name: "Administration" }), "the administration heading");
  await inspect(s, "admin");

  await page.getByRole("link", { name: "New tournament" }).first().click();
  await page.waitForURL("**/admin/tournaments/new");
  await inspect(s, "admin-tournament-new");

  await page.getByLabel("Name", { exact: true }).fill(NEW_TOURNAMENT);
  await page.getByLabel("Kind").selectOption({ label: "Ad hoc tournament" });
  await page.getByLabel("Create as").selectOption({ label: "Open for registration now" });
  await page.getByLabel("Starting cash ($)").fill("25000");
  await page.getByLabel("Commission per fill ($)").fill("1.50");
  await page.getByLabel("Universe").selectOption({ label: "Only the symbols listed" });
  await page.getByLabel("Symbols or sectors").fill("AAA, BBB");
  await page.getByLabel("Most orders per day").fill("25");
  await page.getByLabel("Short selling allowed").uncheck();
  await page.getByLabel("Scoring method").selectOption({ label: "Sharpe ratio" });
  await page.getByRole("button", { name: "Create tournament" }).click();
  await page.waitForURL(/\/admin\/tournaments\/\d+/);
  await expectVisible(page.getByRole("heading", { level: 1, name: NEW_TOURNAMENT }), "the new tournament's page");
  await expectVisible(page.getByText("Open for registration").first(), "the new tournament is open for registration");
  // The custom rules were kept.
  const cash = await page.getByLabel("Starting cash ($)").inputValue();
  expect(/^25,?000(\.0+)?$/.test(cash.trim()), `starting cash shows "${cash}", want 25000`);
  const perDay = await page.getByLabel("Most orders per day").inputValue();
  expect(perDay.trim() === "25", `orders per day shows "${perDay}", want 25`);
  expect(!(await page.getByLabel("Short selling allowed").isChecked()), "short selling should be off");
  const scoring = await page.getByLabel("Scoring method").inputValue();
  expect(scoring === "sharpe", `scoring is "${scoring}", want sharpe`);
  await inspect(s, "admin-tournament-edit");

  // Edit a rule before the start.
  await page.getByLabel("Most orders per day").fill("30");
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.waitForURL(/done=saved/);
  await expectVisible(page.getByText("The changes were saved."), "the saved notice");
  const saved = await page.getByLabel("Most orders per day").inputValue();
  expect(saved.trim() === "30", `orders per day shows "${saved}" after saving, want 30`);

  await page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Tournaments" }).click();
  await page.waitForURL("**/admin/tournaments");
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: NEW_TOURNAMENT }) });
  await expectVisible(row, "the new tournament in the admin list");
  await expectVisible(row.getByText("Open for registration"), "its state in the list");
  await inspect(s, "admin-tournaments");

  // The other admin pages.
  const adminNav = page.getByRole("navigation", { name: "Administration" });
  await adminNav.getByRole("link", { name: "Users" }).click();
  await expectVisible(page.getByRole("heading", { level: 1, name: /Users/ }), "the users admin page");
  const rivalRow = page.getByRole("row").filter({ has: page.getByLabel("Role of rival") });
  await page.getByLabel("Role of rival").selectOption("coach");
  await rivalRow.getByRole("button", { name: "Change role for rival", exact: true }).click();
  await expectVisible(page.getByText("The role was changed."), "the role-changed notice");
  expect((await page.getByLabel("Role of rival").inputValue()) === "coach", "rival is now a coach");
  for (const [link, name, heading] of [
    ["Users", "admin-users", /Users/],
    ["Instruments", "admin-instruments", /Instruments/],
    ["Audit log", "admin-audit", /Audit/],
  ]) {
    await adminNav.getByRole("link", { name: link }).click();
    await expectVisible(page.getByRole("heading", { level: 1, name: heading }), `the ${link} admin page`);
    await inspect(s, name);
  }
  // The tournament creation is in the audit log.
  await expectVisible(page.getByText(/tournament/i).first(), "the tournament creation in the audit log");

  // Players see it in the lobby too.
  await nav(page).getByRole("link", { name: "Tournaments" }).click();
  await page.waitForURL("**/lobby");
  await expectVisible(page.getByRole("link", { name: NEW_TOURNAMENT }), "the new tournament in the lobby");

  await signOut(s);
}
