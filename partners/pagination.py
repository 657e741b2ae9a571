"""Pages of long lists, evaluated in the view so that templates render without queries."""

from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.http import HttpRequest
from django.utils.functional import cached_property

# Django's Paginator takes no subscript at run time: the typed base class is for mypy only.
if TYPE_CHECKING:
    _Paginator = Paginator[Any]
else:
    _Paginator = Paginator

PAGE_SIZE = 50


class CappedPaginator(_Paginator):
    """Counts at most ``cap`` + 1 rows, for lists that may hold millions (the journal): the count
    is a LIMITed index scan instead of a count of the whole table. ``capped`` says the list is
    longer than what is counted."""

    def __init__(self, object_list: QuerySet[Any], per_page: int, cap: int) -> None:
        super().__init__(object_list, per_page)
        self.queryset = object_list
        self.cap = cap

    @cached_property
    def count(self) -> int:
        # unordered: the first cap + 1 rows in any order are as many, without sorting them
        return self.queryset.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


class CountedInPagePaginator(_Paginator):
    """The page's rows and the list's total in one statement (``COUNT(*) OVER ()`` on each row)
    instead of a ``COUNT`` then the page: one statement less to build and run, for the lists
    opened all day (the portefeuille). A page past the end, or an empty list, falls back to
    Django's way (the count, then the last page)."""

    def __init__(self, object_list: QuerySet[Any], per_page: int) -> None:
        super().__init__(object_list, per_page)
        self.queryset = object_list

    def get_page(self, number: Any) -> Page[Any]:
        try:
            number = max(int(number), 1)
        except (TypeError, ValueError):
            number = 1
        bottom = (number - 1) * self.per_page
        rows = list(
            self.queryset.annotate(_list_total=Window(Count("*")))[bottom : bottom + self.per_page]
        )
        if not rows:
            return super().get_page(number)
        if isinstance(rows[0], dict):  # values(): each row as it was asked
            self.__dict__["count"] = rows[0]["_list_total"]
            for row in rows:
                del row["_list_total"]
        else:
            self.__dict__["count"] = rows[0]._list_total
        # (Paginator.count is a cached_property.)
        return Page(rows, self.validate_number(number), self)


def paginate(
    request: HttpRequest,
    queryset: QuerySet[Any],
    param: str = "page",
    per_page: int = PAGE_SIZE,
    cap: int | None = None,
    count_in_page: bool = False,
) -> Page[Any]:
    """A page of ``queryset``, evaluated here so that templates render without queries.
    ``count_in_page``: the total read with the rows (:class:`CountedInPagePaginator`)."""
    paginator: Paginator[Any]
    if cap is not None:
        paginator = CappedPaginator(queryset, per_page, cap)
    elif count_in_page:
        paginator = CountedInPagePaginator(queryset, per_page)
    else:
        paginator = Paginator(queryset, per_page)
    page = paginator.get_page(request.GET.get(param))
    page.object_list = list(page.object_list)
    return page
