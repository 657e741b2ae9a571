"""How a message reaches the person: one function, so that the messages issue can add SMS.

Only through the outbox, inside the service's transaction (DESIGN.md § When a part fails): the
message leaves after commit, at least once, with the idempotency key. A message carries no social
content: a code, a link, a first name, an organisation.
"""

from dataclasses import dataclass

from partners import outbox
from partners.models import Department


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def send(*, contact: str, message: Message, key: str, department: Department) -> None:
    """Queue ``message`` for ``contact`` (an e-mail address today). Call it inside the
    transaction of the event it follows."""
    outbox.enqueue_email(
        key=key, to=[contact], subject=message.subject, body=message.body, department=department
    )
