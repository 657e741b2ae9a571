"""Pages by cursor: stable while rows are added, and the same cost for the thousandth page as
for the first (no OFFSET, no COUNT)."""

from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request

from partners.api.problems import ApiProblem

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
INVALID_CURSOR = "Curseur invalide : reprenez celui que donne « next » ou « previous »."


class CursorPage(CursorPagination):
    page_size = PAGE_SIZE
    ordering = "pk"
    cursor_query_param = "cursor"
    cursor_query_description = "Le curseur de la page, tel que donné par « next » ou « previous »."
    page_size_query_param = "page_size"
    page_size_query_description = f"Le nombre de lignes par page ({PAGE_SIZE} par défaut)."
    max_page_size = MAX_PAGE_SIZE

    def decode_cursor(self, request: Request) -> Cursor | None:
        """A cursor that is not one of ours is a 400 problem (DRF answers 404)."""
        try:
            cursor: Cursor | None = super().decode_cursor(request)
        except NotFound:
            raise ApiProblem(
                status=400, code="curseur-invalide", title="Curseur invalide", detail=INVALID_CURSOR
            ) from None
        return cursor
