"""The partner API's operations on the follow-up of a case (scope ``followup:read``).

Here rather than in ``casework.api``: the follow-up includes the contrat d'engagement, which
lives in orientation's ``ActionPlan``, and only orientation may import both apps.
"""
