"""Who may do what in a company's organisation: organisations, staff and their roles, the one
permission check every entry point (API, pages, CLI) goes through, and the pseudonyms under
which an organisation sees participants.

- `roles`: the roles and the permissions each carries (the whole policy);
- `permissions`: `Principal` (who asks, where, from where) and `authorize`, the one check;
- `organisations`: the organisations a deployment hosts; `staff`: their people and roles;
- `pseudonyms`: how an organisation names participants;
- `signin`: signing in, setting up an account from its link, resetting one, built from
  `passwords` (Argon2id, the password rules), `totp` (the second factor), `throttle` (failed
  attempts), `sessions` (server-side sessions), `setup_links` (one-time links), `csrf` (form
  tokens) and `sign_in_events` (what the audit log is told);
- `tokens`: API tokens, stored as hashes, never more than their owner's current role;
- `membership`: changes to an organisation's staff and tokens, with their rules (an admin
  stays, setup links only where the giver answers for every organisation) and audit entries,
  for the command line, the API and the console alike; `invitations`: an account that is
  already staff elsewhere, asked to join, joining only once its owner accepts.
"""
