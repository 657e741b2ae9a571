"""The partner API's framework (/api/v1/): partner systems and their keys, authentication,
scopes, French problem+json errors, rate limits, cursor pages and the OpenAPI description.

The endpoints live in the app whose data they read or write (``orientation.api`` for the
follow-up of a case), wired in ``config/urls.py`` under ``api/v1/``.
"""
