"""Decisions, pure: the half of closing the feedback loop that needs no Redis.

- `decision`, `rule_file`, `rules`: the decisions ledger's file format (validated, every
  mistake located) and the rules that link a decision to the responses that informed it;
- `compose`: a decision file made from a form's fields (the console's, the API's), instead of
  written by hand;
- `view`, `told`, `values`: a decision as a participant's turn sees it;
- `texts` (`messages.yaml`): what participants read about decisions, in their language;
- `reaction`, `replies`: the buttons under a decision notice and what a press on one does.

The Redis side (ledger, planner, publisher, grievance desk) is `bot.loop`.
"""
