"""The management side: projects, management keys, users, test helpers. No HTTP."""
