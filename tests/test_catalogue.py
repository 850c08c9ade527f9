"""docs/bad-inputs.md is a catalogue the tests keep honest: every row names tests that exist, rows are
numbered in order, and its count table is what the rows say (so it cannot be hand-kept out of step)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = REPO / "docs" / "bad-inputs.md"
ROW = re.compile(r"^\| (\d+) \| .* \| ([^|]+) \|$")
TEST_REFERENCE = re.compile(r"(test_\w+\.py)::(\w+)")
COUNTS = re.compile(r"<!-- counts:begin -->\n(.*?)<!-- counts:end -->\n", re.S)


def sections() -> dict[str, list[tuple[int, str]]]:
    """Each ``## `` section's rows as (number, test column)."""
    found: dict[str, list[tuple[int, str]]] = {}
    current = ""
    for line in CATALOGUE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:]
        elif match := ROW.match(line):
            found.setdefault(current, []).append((int(match.group(1)), match.group(2)))
    return found


def count_table() -> str:
    rows = sections()
    lines = ["| section | classes |", "|---|---|", *(f"| {name} | {len(found)} |" for name, found in rows.items())]
    lines.append(f"| **all** | **{sum(map(len, rows.values()))}** |")
    return "\n".join(lines) + "\n"


def test_each_number_appears_once_in_order() -> None:
    numbers = [number for found in sections().values() for number, _ in found]
    assert numbers == list(range(1, len(numbers) + 1))


def test_every_row_names_at_least_one_test_and_each_named_test_exists() -> None:
    defined = {path.name: {node.name for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                           if isinstance(node, ast.FunctionDef)} for path in (REPO / "tests").glob("test_*.py")}
    missing = []
    for found in sections().values():
        for number, tests in found:
            references = TEST_REFERENCE.findall(tests)
            assert references, f"row {number} names no test"
            missing += [f"row {number}: {file}::{name}" for file, name in references if name not in defined.get(file, set())]
    assert missing == []


def test_the_count_table_is_what_the_rows_say() -> None:
    match = COUNTS.search(CATALOGUE.read_text(encoding="utf-8"))
    assert match, "docs/bad-inputs.md needs a <!-- counts:begin --> … <!-- counts:end --> block"
    assert match.group(1) == count_table(), f"replace the block with:\n{count_table()}"
