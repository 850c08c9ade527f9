"""Stage 5 (validate), pure: the one ``Problem`` type, its levels and its text, and the rule registry.

Every check the project runs on annotation data is registered here by :func:`check`,
with the rule ids it reports, their level and its docstring as the description (like
UD's validator: every incident has a level and a test id). A problem prints as one
line, ``file: doc: item: rule: message`` (a problem of a whole document, such as its clean
text, has no item: ``file: doc: rule: message``); a warning carries the marker after the rule,
as compilers print it: ``file: doc: item: rule: warning: message``. Errors carry no
marker, so every line printed before levels existed is unchanged. This module is the one
place that formats a problem line.

Scopes say what a check is given and who runs it (see :mod:`peacetalks.validate`):
``root`` (the data root), ``read`` (an annotation file's bytes, run by the reader),
``file`` (a parsed annotation file), ``set`` (every annotation set), ``gold`` (the gold
set); and, run by the build only on what it releases, ``corpus`` (the path of a clean text,
before it is read), ``document`` (a clean document) and ``release`` (a gold set it turns into
rows). Release rules guard what the rows can carry, so they are errors: registering one as a
warning is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal, TypeVar

from .storage import PeacetalksError

Level = Literal["error", "warning"]
LEVELS: tuple[Level, ...] = ("warning", "error")  # least severe first: a minimum level shows itself and all after it
Scope = Literal["root", "read", "file", "set", "gold", "corpus", "document", "release"]
BUILD_SCOPES: tuple[Scope, ...] = ("corpus", "document", "release")  # what only the build runs


@dataclass(frozen=True)
class Problem:
    file: str
    doc: str
    item: str
    rule: str
    message: str
    level: Level = "error"

    def __str__(self) -> str:
        marker = "" if self.level == "error" else f"{self.level}: "
        return ": ".join(filter(None, (self.file, self.doc, self.item, self.rule, f"{marker}{self.message}")))

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @property
    def is_error(self) -> bool:
        return self.level == "error"


@dataclass(frozen=True)
class Check:
    """One registered check: the function, what it is given, the rules it reports, and why it exists."""

    run: Callable[..., Any]
    scope: Scope
    rules: tuple[str, ...]
    level: Level
    description: str


CHECKS: list[Check] = []  # in registration order, which is the order problems are reported in
RULES: dict[str, Check] = {}  # rule id → the check that reports it

F = TypeVar("F", bound=Callable[..., Any])


def check(*rules: str, scope: Scope, level: Level = "error") -> Callable[[F], F]:
    """Register the decorated function as the check reporting ``rules`` at ``level``; its docstring describes it."""

    def register(function: F) -> F:
        taken = [rule for rule in rules if rule in RULES]
        if taken or not rules:
            raise ValueError(f"{function.__name__}: rules {taken} are registered already" if taken else f"{function.__name__}: no rule")
        if scope in BUILD_SCOPES and level != "error":
            raise ValueError(f"{function.__name__}: a {scope} rule guards what a release carries and must be an error")
        entry = Check(function, scope, rules, level, (function.__doc__ or "").strip())
        CHECKS.append(entry)
        RULES.update(dict.fromkeys(rules, entry))
        return function

    return register


def checks(scope: Scope) -> list[Check]:
    return [entry for entry in CHECKS if entry.scope == scope]


@dataclass(frozen=True)
class Place:
    """Where a check looks: the file as shown, its document, and the annotation set (``gold/``) items are in."""

    file: str
    doc: str
    within: str = ""

    def problem(self, rule: str, item: str, message: str) -> Problem:
        """The problem ``rule`` reports on ``item`` (``""``: the whole document), at the level the rule is registered with."""
        return Problem(self.file, self.doc, f"{self.within}{item}", rule, message, RULES[rule].level)

    def in_set(self, name: str) -> Place:
        return replace(self, within=f"{name}/")


def require_no_errors(problems: Iterable[Problem]) -> None:
    """Refuse a build with every error-level problem, in the given order; warnings never refuse."""
    errors = [problem for problem in problems if problem.is_error]
    if errors:
        listing = "\n  ".join(map(str, errors))
        raise PeacetalksError(f"`peacetalks validate` fails with {len(errors)} problems; nothing built:\n  {listing}")


def refuse_release(problems: Iterable[Problem]) -> None:
    """Refuse a build on the first error-level problem the build's own checks found in what it releases."""
    error = next((problem for problem in problems if problem.is_error), None)
    if error is not None:
        raise PeacetalksError(f"{error}; nothing built")


@dataclass(frozen=True)
class Selection:
    """Which problems a report shows: a minimum level, and rules left out (``validate --level/--exclude``)."""

    level: Level = "warning"
    exclude: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        unknown = sorted(self.exclude - RULES.keys())  # a mistyped rule would hide nothing and say nothing
        if unknown:
            raise PeacetalksError(f"--exclude {', '.join(map(repr, unknown))}: no such rule (the rules: {', '.join(sorted(RULES))})")

    def shows(self, problem: Problem) -> bool:
        return LEVELS.index(problem.level) >= LEVELS.index(self.level) and problem.rule not in self.exclude
