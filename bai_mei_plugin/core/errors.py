"""One exception base for the core, carrying a user message and technical details."""


class BaiMeiError(Exception):
    """An error an analyst can act on.

    ``message`` is one sentence for the message bar or a Processing error; ``details`` is what goes to the log.
    """

    def __init__(self, message: str, details: str = ""):
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message


class Canceled(BaiMeiError):  # noqa: N818 (reads as the event it is)
    """The user cancelled a long operation; nothing was produced."""

    def __init__(self, message: str = "Cancelled by the user."):
        super().__init__(message)
