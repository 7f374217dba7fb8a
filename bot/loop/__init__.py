"""Closing the feedback loop: decisions, the participants they reach, and what comes back.

- `decision`, `rules`: the decisions ledger's file format (validated, every mistake located)
  and the rules that link a decision to the responses that informed it;
- `ledger`, `themes`: decisions (versioned) and free-text theme tags in Redis;
- `planner`, `preview`: who a decision reaches, counted per shard inside Redis;
- `publisher`, `pacing`, `progress`: notices fed to the outbox (resumable, never twice), quiet
  hours and the weekly budget, progress and ETA;
- `texts`, `notices`: what participants read, in their language;
- `reactions`, `context`: what participants answer back, and what the worker loads for them;
- `report`, `grievances`: promises, the loop-closure report and the grievance desk.
"""
