"""Pages of long lists, evaluated in the view so that templates render without queries."""

from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
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
        return self.queryset[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


def paginate(
    request: HttpRequest,
    queryset: QuerySet[Any],
    param: str = "page",
    per_page: int = PAGE_SIZE,
    cap: int | None = None,
) -> Page[Any]:
    """A page of ``queryset``, evaluated here so that templates render without queries."""
    paginator: Paginator[Any] = (
        Paginator(queryset, per_page) if cap is None else CappedPaginator(queryset, per_page, cap)
    )
    page = paginator.get_page(request.GET.get(param))
    page.object_list = list(page.object_list)
    return page
