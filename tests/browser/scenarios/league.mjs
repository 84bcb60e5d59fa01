// Scenario: a league created by one player; its invite link opened by a second player, who
// signs up from it, joins the tournament and the league, and sees the league leaderboard.
import { TOURNAMENT_NAME, expect, expectVisible, inspect, nav, signInWithForm, signOut } from "../lib.mjs";
import { joinTournament, signUp } from "./player.mjs";

const DAN = { handle: "dan", name: "Dan Browser", email: "dan@example.com", password: "dan-password-1" };
const ERIN = { handle: "erin", name: "Erin Browser", email: "erin@example.com", password: "erin-password-1" };
const LEAGUE = "Office Bulls";

export async function leagueInviteJoined(open) {
  // Dan creates the league from the tournament page.
  const dan = await open("dan");
  await signUp(dan, DAN);
  await joinTournament(dan);
  await dan.page.getByLabel("New league name").fill(LEAGUE);
  await dan.page.getByRole("button", { name: "Create league" }).click();
  await dan.page.waitForURL(/\/leagues\/\d+\?created=1/);
  await expectVisible(dan.page.getByRole("heading", { level: 1, name: LEAGUE }), "the new league's page");
  await expectVisible(dan.page.getByText("League created."), "the created notice");
  const link = await dan.page.locator("a[data-invite-link]").getAttribute("href");
  const code = ((await dan.page.locator("[data-invite-code]").textContent()) || "").trim();
  expect(link && link.includes(code), `the invite link "${link}" carries the code "${code}"`);
  await inspect(dan, "league-created");

  // Erin opens the link signed out: asked to sign in, she creates an account instead.
  const erin = await open("erin");
  const { page } = erin;
  await page.goto(link);
  await page.waitForURL((url) => url.pathname === "/sign-in");
  await expectVisible(page.getByText("Sign in to see that page."), "the sign-in page explains why");
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.waitForURL(/\/sign-up\?next=/);
  await signUp(erin, ERIN, { from: "here" });
  await page.waitForURL(/\/leagues\/join\?code=/);
  expect((await page.getByLabel("Invite code").inputValue()) === code, "the join form has the code filled in");
  await inspect(erin, "league-join");

  // She joins the tournament first, then the league through the same link.
  await joinTournament(erin);
  await page.goto(link);
  await page.getByRole("button", { name: "Join league" }).click();
  await page.waitForURL(/\/leagues\/\d+\?joined=1/);
  await expectVisible(page.getByText(`You joined ${LEAGUE}.`), "the joined notice");
  const board = page.locator("table.leaderboard");
  await expectVisible(board, "the league leaderboard");
  const rows = board.locator("tbody tr[data-entry]");
  expect((await rows.count()) === 2, `the league leaderboard has 2 players, found ${await rows.count()}`);
  await expectVisible(rows.filter({ hasText: DAN.name }), "Dan on the league leaderboard");
  await expectVisible(board.locator("tr[aria-current=true]").filter({ hasText: ERIN.name }), "Erin's own row highlighted");
  await inspect(erin, "league");

  // The league is listed on the tournament page for both.
  await page.getByRole("link", { name: TOURNAMENT_NAME, exact: true }).first().click();
  await expectVisible(page.getByRole("link", { name: LEAGUE }), "the league on Erin's tournament page");
  await dan.page.reload();
  await expectVisible(dan.page.getByText("2 members"), "Dan's league page counts 2 members");
  await signOut(erin);
}
