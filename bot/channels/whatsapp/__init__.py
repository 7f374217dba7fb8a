"""The WhatsApp Cloud API channel: webhook in, Graph API out, within WhatsApp's rules (three
buttons, ten list rows, the 24-hour window and its templates, per-number and per-recipient
pacing). Everything here translates; survey rules stay in the worker and the engine.

- `channel`: the channel's parts, assembled once by the composition root; `metrics`: its own;
- in: `webhook` checks the `signature`, reads the body with `payload`, turns messages into
  events with `inbound` (button ids: `payload_ids`) and records delivery `statuses`;
- out: `client` renders with `render` (labels fitted by `shorten`), picks free-form or an
  approved template (`templates`, read from the `template_file`); `errors` maps Graph API codes;
- `links`: click-to-chat links; `zones`: the time zone a number implies.
"""
