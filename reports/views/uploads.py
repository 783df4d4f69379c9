"""Uploads read no further than their limit: a file past it is skipped as it arrives, instead of
being spooled whole to a temporary file first, and its name is kept so that the page can say
which file was too large. The handler must be in place before anything reads the body, and the
CSRF middleware reads it first: a view that limits its uploads is csrf_exempt, with csrf_protect
on the inner view that does the work (Django's documented pattern for per-view upload handlers)."""

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest


class UploadLimit(FileUploadHandler):
    def __init__(self, request: HttpRequest, limit: int):
        super().__init__(request)
        self.limit = limit
        request.too_large_uploads = []

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.request.too_large_uploads.append(self.file_name)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler keeps the file


def limit_uploads(request: HttpRequest, limit: int) -> None:
    request.upload_handlers.insert(0, UploadLimit(request, limit))


def too_large(request: HttpRequest) -> list[str]:
    """The names of the files skipped for their size."""
    return getattr(request, "too_large_uploads", [])
