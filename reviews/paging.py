"""Pages over tables that grow for years: a count that stops at a cap.

Django's Paginator counts every matching row to number the pages. On the case table after a
few years (a million cases) or the audit trail (tens of millions of events), that count costs
more than the page itself, and nobody pages through forty thousand pages: they search. So the
count stops at `cap`: `SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1)`, which an index answers
in a few milliseconds, and the page says "more than <cap>" when there are more. Pages past the
cap are not offered (an OFFSET that deep would read as many rows as the count it saves).
"""

from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import QuerySet


class CappedPaginator(Paginator):
    cap = 1_000

    def __init__(self, object_list, per_page, *args, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        if cap is not None:
            self.cap = cap

    @cached_property
    def _seen(self) -> int:
        if isinstance(self.object_list, QuerySet):
            # Unordered: any cap + 1 matching rows will do, by whichever index finds them.
            return self.object_list.order_by()[: self.cap + 1].count()
        return len(self.object_list[: self.cap + 1])

    @cached_property
    def count(self) -> int:
        return min(self._seen, self.cap)

    @property
    def capped(self) -> bool:
        """Whether more rows match than are counted (and paged)."""
        return self._seen > self.cap


QUEUE_PAGE_SIZE = 50


def queue_page(cases: QuerySet, number, *, total: int | None = None):
    """A page of a work queue. `total`: the number of cases when it is known already (an
    unfiltered queue's header counts it with the others, selectors.cases.queue_counts), so
    that the same rows are not counted a second time."""
    paginator = Paginator(cases, QUEUE_PAGE_SIZE)
    if total is not None:
        paginator.count = total
    return paginator.get_page(number)
