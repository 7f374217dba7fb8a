"""Closing the feedback loop, in Redis: decisions, the participants they reach, what comes back.

- `ledger`, `themes`: decisions (versioned) and free-text theme tags; `theme_suggestions`:
  the themes tagged answers suggest for the others, accepted or dismissed by staff;
- `planner`, `preview`: who a decision reaches, counted per shard inside Redis; `preview_cache`:
  the last preview kept per decision, counted again by one process in the background;
- `publisher`, `feeder`, `pacing`, `progress`: notices fed to the outbox (resumable, never
  twice), quiet hours and the weekly budget, progress and ETA; `bell`: what wakes an idle
  publisher when a publication starts;
- `templates`: decision notices as WhatsApp templates;
- `context`: what the worker loads about decisions for a participant's turn;
- `report`, `grievances`: promises, the loop-closure report and the grievance desk;
- `metrics`: the loop's gauges for /metrics.

The pure half (the decision file, rules, texts) is `bot.conversation.decisions`.
"""
