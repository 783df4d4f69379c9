"""The two hooks of django-axes (login throttling) that settings name by dotted path.

They live in config/, beside env.py, rather than in reports/: they are about the deployment
(how many proxies stand in front of the site) and about a third-party library, not about
reports. Settings only name them, so settings stay declarations and these read the settings
they need when a request comes, as every other setting is read.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip_address(request: HttpRequest) -> str | None:
    """The address login attempts are counted by. Behind the load balancer every request comes
    from its address: the client's is the one the balancer appended to X-Forwarded-For, the
    TRUSTED_PROXY_COUNT-th from the right (what a client wrote before it is not trusted)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    """The lockout page (HTTP 429), saying how long to wait."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
