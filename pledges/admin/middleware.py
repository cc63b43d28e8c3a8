"""The admin in the language an editor chose for themselves (EditorSettings), else as the browser asks."""

from django.utils import translation

from pledges.models import chosen_language


class EditorLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if request.path.startswith("/admin/") and user is not None and user.is_authenticated and user.is_staff:
            chosen = chosen_language(user)
            if chosen:
                translation.activate(chosen)
                request.LANGUAGE_CODE = chosen
        return self.get_response(request)
