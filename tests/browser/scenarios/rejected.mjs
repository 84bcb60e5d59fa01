// Scenario: an order the rules refuse (more shares than buying power allows) shows the rule
// that rejected it.
export async function rejectedOrderShowsRule(open) {
  throw new Error("waits for the trade ticket page");
}
