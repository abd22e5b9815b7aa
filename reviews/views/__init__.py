from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from reviews.selectors.health import health_report


@require_GET
def home_view(request):
    return render(request, "reviews/home.html")


@never_cache
@require_GET
@login_not_required
def health_view(request):
    status, body = health_report()
    return JsonResponse(body, status=status)
