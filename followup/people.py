"""Who a command acts for (imports nothing heavy: the fast read path uses it too)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Contact


@dataclass(frozen=True)
class Salesperson:
    """The salesperson a command acts for.

    The contacts they add are theirs (`name` becomes the owner). With `only_own` (team mode,
    on a shared PostgreSQL database) names and ids resolve among their own contacts only,
    and reports show only theirs; without it every contact is in reach, as on a
    single-user SQLite file where the owner is filled and ignored.
    """

    name: str
    only_own: bool = False

    def sees(self, contact: Contact) -> bool:
        return not self.only_own or contact.owner == self.name

    def scope(self, owner_column=None):
        """A WHERE condition keeping this salesperson's rows, or None when everything is in reach."""
        if not self.only_own:
            return None
        if owner_column is None:
            from .models import Contact

            owner_column = Contact.owner
        return owner_column == self.name

    def scope_sql(self, owner_column: str = "c.owner") -> tuple[str, dict[str, Any]]:
        """The same condition for a portable SQL query: (" AND c.owner = :owner", params), or
        ("", {}) when everything is in reach."""
        if not self.only_own:
            return "", {}
        return f" AND {owner_column} = :owner", {"owner": self.name}


def acting(who: Salesperson | None) -> Salesperson:
    """`who`, or the user of this account (`current_user`) with every contact in reach."""
    if who is not None:
        return who
    from .config import current_user

    return Salesperson(current_user())
