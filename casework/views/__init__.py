"""The casework pages, one module per flow (les-emplois ``itou/www/apply/views/``).

Who may open what is decided in ``casework/access.py``; the views call it and nothing else.
"""
