"""Sauti's shell around the pure survey engine (`dialogues`): one folder per layer, each
importing only from the layers below it (docs/architecture.md; tests/bot/test_layers.py).

- `secret`, `time_zones`: leaves that import nothing from Sauti;
- `settings`: the one typed settings object;
- `privacy`: pseudonymous ids, envelope encryption, the crypto bundle;
- `conversation`: pure: what Sauti says back to one event;
- `storage`: Redis: clients, the embedded server, the key schema, the Lua scripts;
- `audit`: the audit log of each organisation (a keyed hash chain);
- `access`: organisations, staff and roles, the one permission check, pseudonyms, sign-in;
- `records`: stores and queries: campaigns, grievance cases, counters, the export;
- `understanding`: reading typed messages (the embedded model of `nlu`, or a Rasa server);
- `runtime`: the durable pipeline: ingest, worker, commit, outbox, sender;
- `channels`: Telegram, WhatsApp and the web chat;
- `loop`: closing the feedback loop: decisions, notices, the grievance desk;
- `panels`: the people who agreed to be asked again, and inviting them to new campaigns;
- entry points: `app` (the composition root), `run` (`sauti run`), `web` (the web server) with
  `web_log`, `compression`, `metrics_http` and `staff_web` (the staff sign-in pages), `api`
  (the JSON API, /api/v1), `console` (the staff's pages over the API, /console/), `cli` and
  `commands` (the `sauti` command line), `terminal` (a survey tried in a terminal).
"""
