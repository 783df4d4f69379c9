"""The product's own 404 and 500 pages on the development server too.

With DEBUG on (`make run`), Django answers a missing page with its technical 404 (the URL
patterns, in English) and an error with its traceback page, where production shows
templates/404.html and 500.html. The demo is what new users see first, so this middleware
shows them the same pages as production; the traceback still goes to the console (the
`django.request` logger), and TECHNICAL_ERROR_PAGES=true brings Django's pages back for a
developer. With DEBUG off it does nothing: Django's own handlers render the same templates.
"""

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.log import log_response
from django.views import defaults


class ProductErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def _active(self) -> bool:
        return settings.DEBUG and not settings.TECHNICAL_ERROR_PAGES

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # An address no URL pattern matches: the resolver raises before any view, and Django
        # has already turned that into its technical page by the time it reaches here.
        if self._active() and response.status_code == 404 and getattr(request, "resolver_match", None) is None:
            return defaults.page_not_found(request, Http404())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not self._active():
            return None
        if isinstance(exception, Http404):
            return defaults.page_not_found(request, exception)
        if isinstance(exception, (PermissionDenied, BadRequest, SuspiciousOperation, MultiPartParserError)):
            return None  # answered as 403/400 by Django (403.html, 400.html), and logged as it logs them
        response = defaults.server_error(request)
        log_response("%s: %s", "Internal Server Error", request.path, response=response, request=request,
                     exception=exception)
        return response
