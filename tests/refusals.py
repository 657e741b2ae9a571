"""A refusal test asserts which refusal fired: the error's class, its whole message and, for
``InvalidInput``, the form field it names — never only that something raised."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

#: The field of an error that names none (every error but ``InvalidInput``).
NO_FIELD = object()


@contextmanager
def refused(
    error: type[BaseException], message: str, *, field: Any = NO_FIELD
) -> Iterator[pytest.ExceptionInfo[BaseException]]:
    """Like ``pytest.raises(error)``, then check the message (``.message`` of a domain error,
    ``str()`` of any other) and the field."""
    with pytest.raises(error) as caught:
        yield caught
    value = caught.value
    assert getattr(value, "message", str(value)) == message
    assert getattr(value, "field", NO_FIELD) == field
