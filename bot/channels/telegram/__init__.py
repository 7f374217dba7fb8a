"""Telegram through aiogram 3, used as an adapter only: its HTTP client and types. Survey state
stays in Sauti's own Redis keys, shared with the other channels.

- `channel`: the channel assembled once by the composition root; `api`: the aiogram Bot, which
  keeps the types it reads answers with (`response_types`);
- in: `webhook` and `polling` feed `intake` (store, then acknowledge), which reads updates with
  `inbound` (a chat's times in update order: `chat_clock`) and button payloads with `payloads`;
- out: `client` (the sender's ChannelClient) renders with `render` and `text`, sends through
  `bot_api` (the three calls of every message, as plain JSON over aiogram's session) and
  remembers which message shows which question (`question_messages`); `errors` maps Bot API
  failures; `history`: the chat's recent message ids (both sides), which a quick exit deletes;
- `registration`: the webhook and command menu Telegram is told of; `texts` (`texts.yaml`):
  Telegram-only texts; `role`: the `telegram` role of `sauti run`.
"""
