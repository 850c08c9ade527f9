"""Every stage, no I/O: the one user-facing failure type."""


class PeacetalksError(Exception):
    """A user-facing failure: the message names the file and what is wrong."""
