"""Telegram through aiogram 3, used as an adapter only: its HTTP client and types. Survey state
stays in Sauti's own Redis keys, shared with the other channels."""
