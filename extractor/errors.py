"""Expected failures. The CLI prints their message as one line and exits with their code; no traceback."""


class FlarekbError(Exception):
    """Base class: a failure flarekb anticipates and can explain in one line."""

    exit_code = 1


class BadInput(FlarekbError):
    """The user gave something unusable: a malformed PMID, an unreadable file, an unknown option value."""

    exit_code = 2


class FetchError(FlarekbError):
    """The network or the remote service failed after retries."""

    exit_code = 1


class KnowledgeBaseError(FlarekbError):
    """kb/ could not be read or written (locked, corrupt, no permission)."""

    exit_code = 1


class UnsafeFile(FlarekbError):
    """A path flarekb would write through is a symbolic link or not a regular file (a FIFO, a device): refused,
    so a link planted in kb/ or corpora/ cannot make flarekb truncate or append to its target."""

    exit_code = 1
