"""Assistenz: the parts that touch the outside world (files, mail servers, stores, models)."""
