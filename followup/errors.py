"""The one user-facing error type: the CLI turns it into one stderr line and exit 2."""


class UserError(Exception):
    """Something the user typed was wrong; the message says what and what is accepted."""

    exit_code = 2


class DateError(UserError, ValueError):
    """A date or time the user typed could not be read."""
