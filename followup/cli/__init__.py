"""The `followup` command tree. Importing it loads Typer and the commands, nothing heavier."""

# The order of these imports is the order of the panels in `followup --help`.
from . import reports  # noqa: F401, I001  (due: every morning)
from . import contacts, referrals, touches  # noqa: F401
from . import corrections  # noqa: F401  (edit-touch, rm-sale, merge...)
from . import maintenance  # noqa: F401  (backup, check: the last panel)
from .app import app, main

__all__ = ["app", "main"]
