"""Web chat: a small server-rendered chat for people without Telegram or WhatsApp."""
