"""followup: a terminal follow-up tracker for salespeople."""

__version__ = "0.1.0"
