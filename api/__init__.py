"""Assistenz: the web UI and the HTTP API."""
