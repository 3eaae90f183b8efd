"""Parsing of raw mail into typed models."""
