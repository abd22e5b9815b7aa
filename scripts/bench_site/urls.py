"""The benchmark's URLs: the app's, and its yardstick page."""

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from reviews.models import Case

# A table as a plain Django project writes it: Django's own filters, no partials.
PLAIN = engines["django"].from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cases</title></head>
<body><table>
<thead><tr><th>Case</th><th>Member</th><th>Member ID</th><th>Status</th><th>Due</th></tr></thead>
<tbody>
{% for case in cases %}<tr>
<td><a href="{% url 'reviews:case-detail' case.pk %}">{{ case.reference }}</a></td>
<td>{{ case.member_name }}</td><td>{{ case.member_id }}</td>
<td>{{ case.get_status_display }}</td><td>{{ case.due_at|date:"DATETIME_FORMAT" }}</td>
</tr>{% endfor %}
</tbody></table>
</body></html>"""
)


def plain_page(request):
    """The newest 50 cases from the primary key's index, five columns, one query: an indexed
    50-row table page in plain Django, signed in through the app's middleware like every
    page measured beside it."""
    return HttpResponse(PLAIN.render({"cases": Case.objects.order_by("-pk")[:50]}, request))


urlpatterns = [
    path("bench/plain/", plain_page, name="bench-plain"),
    path("", include("priorauth.urls")),
]
