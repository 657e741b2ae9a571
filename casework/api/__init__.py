"""``appointments:write``: the partner API's operations on a case's appointments (the
framework is ``partners.api``; the writes are ``casework.services.api_appointments``)."""
