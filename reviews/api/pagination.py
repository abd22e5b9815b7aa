from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from reviews.paging import CappedPaginator


class ApiPaginator(CappedPaginator):
    cap = 10_000


class Pagination(PageNumberPagination):
    """?page=N, ?page_size=M (at most 200); the body carries count, count_capped, next,
    previous, results. The count stops at 10,000 (reviews/paging.py): count_capped says more
    rows match, and pages past the 10,000th row are not served (narrow the filters)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = ApiPaginator

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_capped": self.page.paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count_capped"] = {
            "type": "boolean",
            "description": "More rows match than `count` (which stops at 10,000).",
        }
        described["required"] = [*described.get("required", []), "count_capped"]
        return described
