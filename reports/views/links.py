"""URLs of the parts of a report, from the refs the document model gives them ("item-12")."""

from django.urls import reverse


def part_url(report, ref, action="edit"):
    """"item-12" → the URL that edits (or moves, deletes…) item 12 of this report."""
    kind, _sep, part_id = ref.partition("-")
    kwargs = {"pk": report.pk, "kind": kind}
    if part_id:
        kwargs["part_id"] = int(part_id)
    return reverse(f"reports:part_{action}", kwargs=kwargs)
