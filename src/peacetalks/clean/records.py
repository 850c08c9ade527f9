"""``clean-text`` I/O: ``{"id", "text"}`` JSON lines in, result JSON lines out, one at a time."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator

from ..storage import PeacetalksError
from .pipeline import CleanResult, clean, most_first


def parse_json_line(line: str, where: str) -> object:
    """One JSON value; every way the json module can fail becomes an error that names ``where``."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise PeacetalksError(f"{where}: not valid JSON: {exc.msg} at column {exc.colno}") from exc
    except RecursionError as exc:  # '[[[[...' nested deeper than the parser's stack
        raise PeacetalksError(f"{where}: not valid JSON: nested too deeply") from exc


def refuse_lone_surrogate(value: str, key: str, where: str) -> None:
    """A '\\ud800' escape decodes to half a UTF-16 pair: no Unicode text, and it cannot be written as UTF-8."""
    try:
        value.encode("utf-8")  # one pass in C; only a surrogate can fail it
    except UnicodeEncodeError as exc:
        raise PeacetalksError(f"{where}: {key!r} holds a lone surrogate U+{ord(value[exc.start]):04X} at code point {exc.start} "
                              "(an unpaired \\u escape): not valid Unicode text") from exc


def record_from_json(line: str, where: str) -> tuple[str, str]:
    """The (id, text) of one ``{"id", "text"}`` JSON line; ``where`` names it in errors."""
    value = parse_json_line(line, where)
    if not isinstance(value, dict):
        raise PeacetalksError(f"{where}: expected a JSON object with \"id\" and \"text\", got {type(value).__name__}")
    for key, kinds in (("id", (str, int)), ("text", (str,))):
        if key not in value:
            raise PeacetalksError(f"{where}: missing {key!r}")
        if not isinstance(value[key], kinds) or isinstance(value[key], bool):
            raise PeacetalksError(f"{where}: {key!r} must be a {' or '.join(k.__name__ for k in kinds)}")
        refuse_lone_surrogate(str(value[key]), key, where)
    return str(value["id"]), value["text"]


def result_record(doc_id: str, result: CleanResult) -> dict[str, object]:
    """What ``clean-text`` writes for one input: raw offsets count into the input text."""
    return {
        "id": doc_id,
        "text": result.text,
        "title": result.title.text if result.title else None,
        "removed": [
            {"start": r.line.start, "end": r.line.end, "rule": r.removal.rule, "reason": r.removal.reason, "text": r.line.text}
            for r in result.removed
        ],
        "flags": list(result.flags),
        "language": result.language,
    }


def clean_json_lines(lines: Iterable[str], source: str, counts: Counter[tuple[str, str]] | None = None) -> Iterator[str]:
    """Clean a stream of ``{"id", "text"}`` JSON lines into result JSON lines; ``counts`` adds up the removals."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        doc_id, text = record_from_json(line, f"{source}: line {number}")
        result = clean(text)
        if counts is not None:
            counts.update(result.removal_counts())
        yield json.dumps(result_record(doc_id, result), ensure_ascii=False) + "\n"


def format_counts(counts: Counter[tuple[str, str]]) -> str:
    """'related_links/related-links 3, share_counter/share-counter 2': most first, ties by name (deterministic)."""
    return ", ".join(f"{rule}/{reason} {n}" for (rule, reason), n in most_first(counts)) or "nothing"
