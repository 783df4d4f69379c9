def awaiting(request):
    """The count of what awaits the user, for the navigation bar (lazy: computed when shown)."""
    from django.utils.functional import SimpleLazyObject

    from .inbox import awaiting_count

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"awaiting_count": SimpleLazyObject(lambda: awaiting_count(user))}
