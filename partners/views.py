from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import cached_property

from partners import selectors
from partners.enums import PAIR_ROLES, Role
from partners.forms import LoginForm
from partners.models import Professional

PAGE_SIZE = 50


class CappedPaginator(Paginator):
    """Counts at most ``cap`` + 1 rows, for lists that may hold millions (the journal): the count
    is a LIMITed index scan instead of a count of the whole table. ``capped`` says the list is
    longer than what is counted."""

    def __init__(self, object_list: QuerySet, per_page: int, cap: int) -> None:
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
    queryset: QuerySet,
    param: str = "page",
    per_page: int = PAGE_SIZE,
    cap: int | None = None,
) -> Page:
    """A page of ``queryset``, evaluated here so that templates render without queries."""
    paginator = (
        Paginator(queryset, per_page) if cap is None else CappedPaginator(queryset, per_page, cap)
    )
    page = paginator.get_page(request.GET.get(param))
    page.object_list = list(page.object_list)
    return page


@login_required
def my_pairs(request: HttpRequest) -> HttpResponse:
    """« Mes binômes »: each current pair of a professional and their co-accompagnant·e."""
    user: Professional = request.user  # type: ignore[assignment]
    if user.role not in PAIR_ROLES:
        raise Http404
    pairs = list(selectors.pairs_of_professional(user))
    return render(
        request,
        "partners/my_pairs.html",
        {"pairs": [(pair, pair.co_member(user)) for pair in pairs]},
    )


class LoginView(auth_views.LoginView):
    template_name = "partners/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's start page."""
    user: Professional = request.user  # type: ignore[assignment]
    if user.role in PAIR_ROLES:
        return redirect("caseload")
    if user.role == Role.SUPERVISOR:
        return render(
            request,
            "partners/home_supervisor.html",
            {
                "team": paginate(request, selectors.team_of_supervisor(user), param="equipe"),
                "pairs": paginate(request, selectors.pairs_of_supervisor(user)),
            },
        )
    if user.organisation is None:  # a technical superuser, created by hand
        return redirect("admin:index")
    department = user.organisation.department
    return render(
        request,
        "partners/home_department.html",
        {
            "department": department,
            "organisations": list(selectors.organisations_of_department(department)),
            "pairs": paginate(request, selectors.pairs_of_department(department)),
        },
    )
