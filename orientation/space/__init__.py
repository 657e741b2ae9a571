"""The person's orientation pages in their space (``/mon-espace/``): their diagnostic, to read and
to validate or contest before the binôme signs; their documents (the diagnostic, the decision
letter with the ways to appeal, the contrat d'engagement and plan d'action), printable, and the
download of what the space shows; their plan d'action, where they mark their own actions done.
orientation owns these; the person's session and layout are casework's (``casework.space``).

- ``selectors``: what the space shows of orientation, computed on every request;
- ``forms``, ``views``, ``urls``: the pages.
"""
