"""The person's own space (« mon espace », DESIGN.md § The person's own space).

The person followed is not a ``Professional``: an invitation (``casework.models.SpaceAccess``)
made by a member of the binôme lets them in, with a one-time code sent to the contact they gave;
their identity lives under its own session key (``session``), never in ``request.user``.

- ``delivery``: the one way a message leaves for the person (e-mail through the outbox today);
- ``services``: invite, withdraw, send a code, check a code (every write, with its journal row);
- ``messages``: the person's messages to their binôme and requests to change an appointment
  (their requests to the DPO: ``casework.rights.person_request_from_space``);
- ``session``: the person's session, its timeouts, ``person_required``;
- ``selectors``: what the space shows, computed on every request;
- ``views``, ``forms``, ``urls``: the pages under ``/mon-espace/``.
"""
