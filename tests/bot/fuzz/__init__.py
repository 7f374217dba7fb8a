"""The fuzz suite: every door Sauti opens to the outside, fed hostile input.

    .venv/bin/python -m pytest tests/bot/fuzz -q

Deterministic (fixed examples, no database); prints the status codes per route at the end.
"""
