// Scenario: a league created by one player; its invite link opened by a second player, who
// joins and sees the league's leaderboard.
export async function leagueInviteJoined(open) {
  throw new Error("waits for the league pages");
}
