"""Assistenz: the part that decides (parse, triage, policy, drafts)."""
