"""Every prompt and text template of Assistenz, as versioned files (see agent/prompts.py)."""
