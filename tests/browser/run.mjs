// Bullpen's pages in headless Chromium. Started by crates/web/tests/browser.rs, which runs the
// server and answers price-tick requests; see lib.mjs for the checks made on every page.
//
// Exit status 0 when every scenario passed; each failure is printed with what was expected.
import { launch, closeStdin, session, Failure } from "./lib.mjs";
import { adminCreatesTournament } from "./scenarios/admin.mjs";
import { playerTradesAndSignsOut } from "./scenarios/player.mjs";
import { rejectedOrderShowsRule } from "./scenarios/rejected.mjs";
import { leagueInviteJoined } from "./scenarios/league.mjs";
import { challengeProgress } from "./scenarios/challenge.mjs";

const SCENARIOS = [
  ["an admin creates a tournament with custom rules", adminCreatesTournament],
  ["sign up, join, trade, live updates, cancel, sign out", playerTradesAndSignsOut],
  ["a rejected order shows the rule that rejected it", rejectedOrderShowsRule],
  ["a league invite link joined by a second player", leagueInviteJoined],
  ["an evaluation challenge shows each objective's progress", challengeProgress],
];

const only = (process.env.BULLPEN_BROWSER_SCENARIO || "").toLowerCase();
const started = Date.now();
const browser = await launch();
let passed = 0;
let failed = 0;
for (const [name, run] of SCENARIOS) {
  if (only && !name.toLowerCase().includes(only)) continue;
  const t0 = Date.now();
  const sessions = [];
  const open = async (who) => {
    const s = await session(browser, who);
    sessions.push(s);
    return s;
  };
  console.log(`scenario: ${name}`);
  let error = null;
  try {
    await run(open);
  } catch (e) {
    error = e;
  }
  const problems = sessions.flatMap((s) => s.problems);
  if (error || problems.length) {
    failed += 1;
    console.log(`FAIL ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    if (error) {
      console.log(`  ${error instanceof Failure ? error.message : error.stack || error}`);
      for (const s of sessions) {
        try {
          console.log(`  ${s.who} was on ${s.page.url()}`);
        } catch {}
      }
    }
    for (const p of problems) console.log(`  problem: ${p}`);
  } else {
    passed += 1;
    console.log(`PASS ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  for (const s of sessions) await s.context.close().catch(() => {});
}
await browser.close();
closeStdin();
console.log(`browser scenarios took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
