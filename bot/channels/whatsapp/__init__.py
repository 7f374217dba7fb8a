"""The WhatsApp Cloud API channel: webhook in, Graph API out, within WhatsApp's rules (three
buttons, ten list rows, the 24-hour window and its templates, per-number and per-recipient
pacing). Everything here translates; survey rules stay in the worker and the engine."""
