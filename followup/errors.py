"""The one user-facing error type: the CLI turns it into one stderr line and exit 2."""


class UserError(Exception):
    """Something the user typed was wrong; the message says what and what is accepted."""

    exit_code = 2


class DatabaseBusy(UserError):
    """Another command held the database for longer than the bounded wait: nothing was changed,
    and running the command again is the cure. Not the user's mistake, so exit status 1."""

    exit_code = 1


class DateError(UserError, ValueError):
    """A date or time the user typed could not be read."""
