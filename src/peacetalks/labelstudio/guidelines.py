"""Stage 4, I/O (reads schema/GUIDELINES.md): the guidelines as the project's instructions, and their own version.

Label Studio shows a project's ``expert_instruction`` (HTML) before labelling when
``show_instruction`` is on; it is rendered from the Markdown by markdown-it-py (CommonMark and
tables), never by hand. Pulled sets record the version in the guidelines' header, not the schema's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..storage import PeacetalksError, Root

GUIDELINES = "schema/GUIDELINES.md"
VERSION_LINE = re.compile(r"^\*\*Guidelines version (\d+\.\d+\.\d+)\b", re.MULTILINE)
HEADER_LINES = 10  # the version is stated at the top, not anywhere in the text


@dataclass(frozen=True)
class Guidelines:
    version: str
    markdown: str

    @property
    def html(self) -> str:
        from markdown_it import MarkdownIt

        return MarkdownIt("commonmark", {"xhtmlOut": False}).enable("table").render(self.markdown)  # HTML as bleach keeps it (<hr>, not <hr />)


def load_guidelines(root: Root) -> Guidelines:
    """The guidelines and the version their header states, or a refusal naming the file."""
    path = root.path / GUIDELINES
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PeacetalksError(f"{path}: cannot read the annotation guidelines (annotators see them in Label Studio): {exc}") from exc
    found = VERSION_LINE.search("\n".join(text.splitlines()[:HEADER_LINES]))
    if found is None:
        raise PeacetalksError(f"{path}: no '**Guidelines version X.Y.Z' line in its first {HEADER_LINES} lines "
                              "(pulled sets record the guidelines' version)")
    return Guidelines(found.group(1), text)
