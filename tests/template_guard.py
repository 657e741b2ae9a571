"""Fails any test in which one of our templates renders with a database query.

Views fetch all data before rendering; a query from a template is an N+1 waiting to happen. The
guard wraps ``Template.render`` for templates loaded from our template directories and installs a
database execute-wrapper for the time of the render, in whatever thread renders (the live server's
too). Queries are recorded and refused; the autouse fixture fails the test at teardown, because a
template tag may swallow the exception (``{% if %}`` does).
"""

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.template import base as template_base


class TemplateQueryError(AssertionError):
    pass


def is_project_template(template: template_base.Template) -> bool:
    name = getattr(template.origin, "name", None)
    if not isinstance(name, str):
        return False
    return any(name.startswith(str(Path(d))) for d in settings.TEMPLATES[0]["DIRS"])


class TemplateQueryGuard:
    def __init__(self, is_guarded: Callable[[template_base.Template], bool]) -> None:
        self.is_guarded = is_guarded
        self.offending: list[tuple[str, str]] = []
        self._depth = 0

    @contextmanager
    def installed(self) -> Iterator["TemplateQueryGuard"]:
        original = template_base.Template.render
        guard = self

        def render(template: template_base.Template, context: Any) -> Any:
            if guard._depth or not guard.is_guarded(template):
                return original(template, context)
            name = str(template.origin.template_name or template.origin.name)

            def refuse(execute: Any, sql: str, params: Any, many: bool, ctx: Any) -> Any:
                guard.offending.append((name, sql))
                raise TemplateQueryError(f"Requête SQL pendant le rendu de {name} : {sql}")

            guard._depth += 1
            try:
                with ExitStack() as stack:
                    for connection in connections.all():
                        stack.enter_context(connection.execute_wrapper(refuse))
                    return original(template, context)
            finally:
                guard._depth -= 1

        template_base.Template.render = render  # type: ignore[method-assign]
        try:
            yield self
        finally:
            template_base.Template.render = original  # type: ignore[method-assign]
