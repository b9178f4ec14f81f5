"""The `followup` command tree. Importing it loads Typer and the commands, nothing heavier."""

# The order of these imports is the order of the panels in `followup --help`.
from . import reports  # noqa: F401, I001  (due: every morning)
from . import contacts, referrals, touches  # noqa: F401
from . import news  # noqa: F401  (announce)
from . import accounts  # noqa: F401  (account: a company's people and buying roles)
from . import exchange  # noqa: F401  (gave-lead, lead-won, exchange: the lead exchange)
from . import complaints  # noqa: F401  (complaint; the yearly visit)
from . import corrections  # noqa: F401  (edit-touch, rm-sale, merge...)
from . import transfer  # noqa: F401  (import, export, calendar)
from . import settings  # noqa: F401  (config, config set, config unset)
from . import maintenance  # noqa: F401  (backup, check: the last panel)
from .app import app, main

__all__ = ["app", "main"]
