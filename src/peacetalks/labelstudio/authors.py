"""Stage 4, I/O (HTTP): the accounts that author pushed sets on a review server, so its tabs are named by set.

Label Studio's editor names an annotation's tab by its author's first name (``userDisplayName`` in
web/libs/core), and its import and annotation API take ``completed_by`` as the id of a member of the
organization (tasks/serializers.py ``_insert_valid_completed_by``). So each local set loaded by
``push --with-annotations`` is authored by an account of its own: first name the set's name
(``ann1``, ``gold``), e-mail ``<set>@sets.peacetalks.invalid`` (``.invalid`` is reserved by RFC 2606:
never a person's address) and no password, so nobody signs in as it. Pull reads such an account's
annotation under the set's name, never as the pseudonym of that address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..models import ID_PATTERN
from ..storage import PeacetalksError
from .client import Connection

SET_DOMAIN = "sets.peacetalks.invalid"


def set_email(name: str) -> str:
    """The address of the account that authors set ``name``: lower-case, as pull compares addresses."""
    if name != name.lower():
        raise PeacetalksError(f"set {name!r}: Label Studio keeps addresses in lower case, so a set loaded for review needs a "
                              "lower-case name (rename it in the annotation files)")
    return f"{name}@{SET_DOMAIN}"


def set_of(email: str) -> str | None:
    """The set an account authors, from its (normalised) address; None for anybody else."""
    local, _, domain = email.partition("@")
    return local if domain == SET_DOMAIN and re.fullmatch(ID_PATTERN, local) else None


@dataclass
class SetAuthors:
    """Each set's author account on one server, made when a set first needs it."""

    connection: Connection
    ids: dict[str, int] = field(default_factory=dict)  # set name → user id

    @classmethod
    def on(cls, connection: Connection) -> SetAuthors:
        found = ((set_of((user.email or "").lower()), user.id) for user in connection.client.users.list())
        return cls(connection, {name: user_id for name, user_id in found if name is not None})

    def id_of(self, name: str) -> int:
        if name not in self.ids:
            email = set_email(name)
            user = self.connection.client.users.create(username=email, email=email, first_name=name)
            self.ids[name] = user.id
        return self.ids[name]
