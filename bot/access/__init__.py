"""Who may do what in a company's organisation: organisations, staff and their roles, the one
permission check every entry point (API, pages, CLI) goes through, and the pseudonyms under
which an organisation sees participants."""
