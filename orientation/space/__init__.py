"""The person's diagnostic in their space (``/mon-espace/diagnostic/``): read it, and validate or
contest it before the binôme signs. orientation owns the diagnostic; the person's session and
layout are casework's (``casework.space``)."""
