"""Layer 1: the vocabulary every other layer shares (API bodies, cron, tags, problems)."""
