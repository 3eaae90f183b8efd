"""Deciding the category (and priority) of a message: certain rules first, then a model."""

from agent.classify.base import Classifier

__all__ = ["Classifier"]
