"""The orientation pages, one module per flow, like ``casework/views/``: ``diagnostic``,
``recommendations`` (the orientation page, préconisations and decisions), ``plan`` (plan d'action),
``supervision`` (the dashboard) and ``inbox`` (what awaits a professional).

Who may open what is decided in ``orientation/access.py`` (built on ``casework/access.py``); the
views call it and compare no role themselves. Journal rows come from ``orientation.journal_events``.
"""
