"""``make loadtest``: gunicorn with the production settings under a locust scenario."""
