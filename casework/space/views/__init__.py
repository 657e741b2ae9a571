"""The person's pages under /mon-espace/, one module per part of the space.

Never ``login_required``: the person is not a professional. Every page is ``person_required``
(``casework.space.session``) but the login pages, and answers ``no-store``.
"""
