"""The one shape of a refusal: an action the application will not take, and why.

Every domain names its refusals (WorkflowError, CommentRefused, ReminderRefused, …) as
subclasses of Refusal, so that they all carry the same two things: `message`, in words for
the user (often a lazy translation, rendered in the language of whoever reads it), and
`code`, a stable name for tests and for code that must tell refusals apart.
"""


class Refusal(Exception):
    """Refused, writing nothing. `code` defaults to the class's own (a subclass names its case)."""

    code = "refused"

    def __init__(self, message, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return str(self.message)
