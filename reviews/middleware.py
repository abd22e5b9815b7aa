"""Request handling the pages share."""

from django.http import Http404

from reviews.errors import NotFound


class NotFoundMiddleware:
    """Selectors say NotFound (no such thing, or not one this user may see); a page answers
    it as Django's 404, with the 404 template."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            raise Http404(str(exception)) from exception
        return None
