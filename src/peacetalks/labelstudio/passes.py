"""Stage 4, I/O (``annotations/_meta/passes.json``): independent annotation passes, each on a server of its own.

Label Studio 1.23 Community cannot hide one user's work from another on one server: every user
joins the one organization and sees all its projects (label_studio/projects/api.py lists projects
by ``active_organization``), and ``is_annotator`` is always False (label_studio/users/mixins.py),
so a task's annotations are filtered by user nowhere (tasks/serializers.py ``get_annotations``).
A pass is therefore one server (``labelstudio start --pass NAME``, data in
``.labelstudio/passes/NAME``) with one project "<title> · NAME" and one annotator, assigned by
pseudonym here; pull refuses a set in a pass made by any other account.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import StringConstraints, ValidationError

from ..models import Strict
from ..storage import PeacetalksError, Root, parse_model, write_model
from .convert import TaskWork
from .pseudonyms import Pseudonym, Pseudonyms, normalised_email

PASS_FILE = "passes.json"
TITLE_LIMIT = 50  # Label Studio's longest project title
PASS_PATTERN = r"^[a-z][a-z0-9-]{0,31}$"
PassName = Annotated[str, StringConstraints(pattern=PASS_PATTERN)]


class PassFile(Strict):
    """Each pass's one annotator, by pseudonym: no e-mail, name or server id."""

    passes: dict[PassName, Pseudonym]


def pass_name(name: str) -> str:
    if not re.fullmatch(PASS_PATTERN, name):
        raise PeacetalksError(f"--pass {name!r}: name a pass with a lower-case letter, then up to 31 lower-case letters, digits or '-'")
    return name


def project_title(title: str, pass_: str | None) -> str:
    """The project's title: a pass's is "<title> · <pass>"; Label Studio takes 3 to 50 characters."""
    full = f"{title} · {pass_}" if pass_ else title
    if not 3 <= len(full) <= TITLE_LIMIT:
        raise PeacetalksError(f"--project {title!r}: the project title {full!r} has {len(full)} characters; Label Studio takes "
                              f"3 to {TITLE_LIMIT}")
    return full


def pass_data_dir(root: Root, pass_: str) -> Path:
    return root.path / ".labelstudio" / "passes" / pass_


def pass_file(root: Root) -> Path:
    return root.annotations / "_meta" / PASS_FILE


def load_passes(root: Root) -> dict[str, str]:
    path = pass_file(root)
    if not path.exists():
        return {}
    try:
        return dict(parse_model(PassFile, path.read_bytes()).passes)
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise PeacetalksError(f"{path}: not a pass file: {'.'.join(map(str, problem['loc']))}: {problem['msg']}") from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PeacetalksError(f"{path}: cannot read: {exc}") from exc


def assign(root: Root, pass_: str, email: str) -> tuple[str, list[str]]:
    """Record the annotator of ``pass_`` by the pseudonym of ``email`` (never stored); returns it and the pseudonym notes.

    A pass keeps its annotator, and an annotator has one pass: two passes by one person are not independent.
    """
    address = normalised_email(email)
    if address is None:
        raise PeacetalksError("--email: give the address the annotator signs up with")
    passes, pseudonyms = load_passes(root), Pseudonyms.load(root)
    name = pseudonyms.of(address)
    if passes.get(pass_, name) != name:
        raise PeacetalksError(f"{pass_file(root)}: pass {pass_} is assigned to {passes[pass_]} already; a pass keeps its "
                              "annotator (start a new pass for another)")
    elsewhere = [other for other, who in passes.items() if who == name and other != pass_]
    if elsewhere:
        raise PeacetalksError(f"{pass_file(root)}: {name} is assigned to pass {elsewhere[0]} already; one annotator, one pass")
    if pseudonyms.changed:
        pseudonyms.save()
    write_model(pass_file(root), PassFile(passes=dict(sorted({**passes, pass_: name}.items()))))
    return name, pseudonyms.notes


@dataclass(frozen=True)
class Assignment:
    """A pass and its annotator's pseudonym, as pull checks every set made in the pass."""

    pass_: str
    pseudonym: str

    @classmethod
    def of(cls, root: Root, pass_: str) -> Assignment:
        assigned = load_passes(root).get(pass_)
        if assigned is None:
            raise PeacetalksError(f"{pass_file(root)}: pass {pass_} has no annotator: run "
                                  f"`peacetalks labelstudio assign --pass {pass_} --email ADDRESS` first")
        return cls(pass_, assigned)

    def refusal(self, work: TaskWork, pseudonyms: Pseudonyms) -> str | None:
        """Why a task's sets cannot be pulled in this pass: one was made by another account than its annotator."""
        strangers = [(annotation, who) for email, (annotation, _) in work.sets.items()
                     if (who := pseudonyms.lookup(email)) != self.pseudonym]
        if not strangers:
            return None
        made = "; ".join(f"annotation {a.id} was made by {who or f'server user {a.user}, who has no pseudonym'}" for a, who in strangers)
        return (f"{work.doc.id}: task {work.task.id}: pass {self.pass_} is assigned to {self.pseudonym}, but {made}: nothing was "
                "pulled for this document (delete that annotation in the pass's server, or give that annotator a pass of their own)")
