"""The application's URLs plus a trivial view, the ceiling every page is compared with."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from config.urls import urlpatterns as application_urlpatterns


@require_safe
def ping(request):
    # Login is required here as on every page (LoginRequiredMiddleware), so the ceiling includes
    # what every page pays before its view runs: the middleware, the session and the user lookups.
    return HttpResponse("pong", content_type="text/plain")


urlpatterns = [path("bench/ping/", ping, name="bench_ping"), *application_urlpatterns]
