"""Every stage, no I/O: the one user-facing failure type."""


class PeacetalksError(Exception):
    """A user-facing failure: the message names the file and what is wrong."""


def os_error_text(exc: OSError) -> str:
    """One line for a file system failure (a full disk, a read-only or vanished file), naming the file."""
    return f"{exc.filename or 'a file'}: {exc.strerror or exc}"
