"""Stage 4, I/O (HTTP, streamed): read the server's JSON arrays (the export, the users) as they arrive.

The items are parsed by ijson one at a time, within one deadline for the whole pull, so the
export is never held whole in memory and a server that drips or stalls is cut off. An answer
that is not a JSON array is refused naming the URL, what is wrong and where.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import ijson
from pydantic import ValidationError

from ..storage import PeacetalksError
from .client import Connection, checked
from .convert import Loose, described
from .pseudonyms import normalised_email

JSON_WHITESPACE = b" \t\n\r"
SHOWN = 40  # characters of the answer shown near a fault
MAX_DEPTH = 100  # levels of nesting in one item; an export task has about 7
OPENS, CLOSES = frozenset({"start_map", "start_array"}), frozenset({"end_map", "end_array"})
EXPORT_IDS = 500  # task ids per export request: the ids go in the URL, whose length servers limit


@dataclass
class Deadline:
    """One time limit for a whole pull: every request gets what is left, and a stream still open at the end is cut."""

    seconds: float
    what: str
    end: float = field(init=False)

    def __post_init__(self) -> None:
        self.end = time.monotonic() + self.seconds

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.end

    def left(self) -> float:
        if self.passed:
            raise self.error()
        return self.end - time.monotonic()

    def error(self) -> PeacetalksError:
        return PeacetalksError(f"{self.what} did not finish within {self.seconds:g} s (--timeout); nothing was written")

    def chunks(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """Stops a server that drips bytes: each read is quick, the sum is not."""
        for chunk in chunks:
            self.left()
            yield chunk

    @contextmanager
    def cutting(self, response: Any) -> Iterator[None]:
        """Shut the response's socket at the deadline, so a read that waits for a stalled server returns at once."""
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None

        def cut() -> None:
            with contextlib.suppress(OSError):  # already closed: nothing left to cut
                sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(self.left(), cut)
        timer.daemon = True
        if sock is not None:
            timer.start()
        try:
            yield
        finally:
            timer.cancel()


class NotAJSONArray(ValueError):
    """An answer that is not one JSON array (of records, or of UTF-8 text): what is wrong, and where."""


class ArrayReader:
    """The file ijson reads an answer from: its chunks as they arrive, at most ``size`` bytes a read
    (ijson parses a read whole), counted, and refused at the first byte unless it opens an array
    (in an object ijson would find no items, and say nothing)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self.chunks = (chunk for chunk in chunks if chunk)  # an empty read would mean the end to ijson
        self.chunk, self.at = b"", 0
        self.start = self.end = 0  # the bytes of the latest read: where a fault ijson finds lies
        self.opened = False

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""  # ijson's probe for bytes or text
        if self.at == len(self.chunk):
            self.chunk, self.at = next(self.chunks, b""), 0
        chunk = self.chunk[self.at:self.at + size] if size > 0 else self.chunk[self.at:]
        self.at += len(chunk)
        self.start, self.end = self.end, self.end + len(chunk)
        if not self.opened and chunk.lstrip(JSON_WHITESPACE):
            self.check_opening(chunk)
        elif not chunk and not self.opened:
            raise NotAJSONArray(f"not a JSON array of records: expected a JSON array at character {self.start} (the answer ends there)")
        return chunk

    def check_opening(self, chunk: bytes) -> None:
        body = chunk.lstrip(JSON_WHITESPACE)
        if not body.startswith(b"["):
            near = body[:SHOWN].decode("utf-8", errors="replace")
            raise NotAJSONArray(f"not a JSON array of records: expected a JSON array at character {self.end - len(body)} (near {near!r})")
        self.opened = True

    def fault(self, error: ijson.JSONError) -> NotAJSONArray:
        """ijson's error as one line: its first line says what, the bytes read so far say where (yajl adds what is near)."""
        message = error.args[0] if error.args else ""
        lines = (message.decode("utf-8", errors="replace") if isinstance(message, bytes) else str(message)).splitlines() or ["malformed"]
        near = f" (near {lines[1].strip()[:SHOWN]!r})" if len(lines) > 2 and lines[1].strip() else ""
        what = "not UTF-8 JSON" if "UTF8" in lines[0] or isinstance(error.__context__, UnicodeDecodeError) else "not a JSON array of records"
        where = f"at byte {self.end}, the end" if self.start == self.end else f"in bytes {self.start}-{self.end}"
        return NotAJSONArray(f"{what}: {lines[0].rstrip('.')} {where}{near}")


def array_items(chunks: Iterable[bytes]) -> Iterator[Any]:
    """The items of one JSON array, each as soon as its bytes have arrived (numbers as ``json`` reads them).

    Built from ijson's unprefixed events: its prefixed ones (``ijson.items``) grow with the depth,
    so a few hundred kilobytes of brackets would take gigabytes; here an item deeper than
    ``MAX_DEPTH`` is refused.
    """
    reader = ArrayReader(chunks)
    events = ijson.basic_parse(reader, use_float=True)
    try:
        next(events)  # the array's start: the reader has seen it
        depth, item = 0, ijson.ObjectBuilder()
        for event, value in events:
            if depth == 0 and event == "end_array":
                continue  # the array's end; the parser still refuses anything after it
            item.event(event, value)
            depth += (event in OPENS) - (event in CLOSES)
            if depth > MAX_DEPTH:
                raise NotAJSONArray(f"not a JSON array of records: an item nested deeper than {MAX_DEPTH} levels in bytes {reader.start}-{reader.end}")
            if depth == 0:
                yield item.value
                item = ijson.ObjectBuilder()
    except ijson.JSONError as exc:
        raise reader.fault(exc) from exc


def streamed_items(connection: Connection, path: str, params: dict[str, str] | list[tuple[str, str]], deadline: Deadline) -> Iterator[Any]:
    """The items of the JSON array the server answers ``path`` with, parsed as they arrive, within the deadline.

    Not through the SDK: its 120 s timeout is too short for an export of 10k annotated tasks (the
    server builds it whole first), its reads have no overall limit, and the export is never held
    whole in memory.
    """
    import httpx

    try:
        with connection.http.stream("GET", path, params=params, timeout=deadline.left()) as response:
            checked(response)
            with deadline.cutting(response):
                yield from array_items(deadline.chunks(response.iter_bytes(1 << 20)))
    except (httpx.TransportError, httpx.StreamError, NotAJSONArray) as exc:
        if deadline.passed:
            raise deadline.error() from exc
        if isinstance(exc, NotAJSONArray):
            raise PeacetalksError(f"{connection.url}{path}: {exc}") from exc
        raise


def export_tasks(connection: Connection, project_id: int, deadline: Deadline, ids: list[int] | None = None) -> Iterator[Any]:
    """Every task of the JSON export (relations included), or only those with ``ids``, unchecked: each is checked on its own.

    The server keeps a copy of each export in its data dir's ``export/``: asking only for the
    changed tasks keeps that copy as small as the change.
    """
    params: list[tuple[str, str]] = [("exportType", "JSON"), ("download_all_tasks", "true")]
    if ids is None:
        yield from streamed_items(connection, f"/api/projects/{project_id}/export", params, deadline)
        return
    for start in range(0, len(ids), EXPORT_IDS):
        chosen = [("ids[]", str(task_id)) for task_id in ids[start:start + EXPORT_IDS]]
        yield from streamed_items(connection, f"/api/projects/{project_id}/export", params + chosen, deadline)


class ServerUser(Loose):
    id: int
    email: str | None = None


def server_emails(connection: Connection, deadline: Deadline) -> dict[int, str | None]:
    """Each user's normalised e-mail address (None when the server has none) by user id."""
    users = {}
    for raw in streamed_items(connection, "/api/users/", {}, deadline):
        try:
            user = ServerUser.model_validate(raw)
        except ValidationError as exc:
            raise PeacetalksError(f"{connection.url}/api/users/: a user record pull cannot read: {described(raw, exc.errors()[0])}") from exc
        users[user.id] = normalised_email(user.email)
    return users
