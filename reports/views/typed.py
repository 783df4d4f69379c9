"""What a user typed into a plain form that was refused, kept in the session for the page they are
sent back to, so that it comes back in its box to shorten or complete rather than retype.

One place for the review page's reasons and comments and the ledger's 整改情况 and reasons: each
kind of box (`kind`) takes back only its own text, once.
"""

from django.http import HttpRequest

SESSION_KEY = "typed"


def keep(request: HttpRequest, kind: str, text: str, **where: object) -> None:
    """Keep `text` (if any) for the next page showing a box of `kind`; `where` says which box."""
    if text:
        request.session[SESSION_KEY] = {"kind": kind, "text": text, **where}


def take(request: HttpRequest, kind: str) -> dict:
    """The text kept for a box of `kind`, with its `where`, once; {} when there is none."""
    typed = request.session.get(SESSION_KEY)
    if not typed or typed.get("kind") != kind:
        return {}
    del request.session[SESSION_KEY]
    return typed
