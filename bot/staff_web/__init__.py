"""The staff side's pages: signing in, setting up an account from its one-time link, the
landing page, signing out (here or everywhere). The rules live in `bot.access`; this package
speaks HTTP (`pages`), tells who is signed in on a request for the pages and the JSON API alike
(`auth`), records sign-in events in the audit log (`audit_events`), and builds sign-in from
the app's settings (`wiring`)."""
