"""The SMS provider's delivery-report webhook: authenticated by a shared secret, never by a
session; answers JSON; every refusal says which, without content."""

import json

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from casework.messages import reports


@csrf_exempt  # a provider's call, authenticated by its shared secret, not a browser's form
@require_POST
def brevo_sms_report(request: HttpRequest) -> JsonResponse:
    token = settings.BREVO_WEBHOOK_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not constant_time_compare(given, token):
        return JsonResponse({"error": "unauthenticated"}, status=401)
    try:
        payload = json.loads(request.body)
        if not isinstance(payload, dict):
            raise ValueError
    except ValueError:
        return JsonResponse({"error": "malformed"}, status=400)
    try:
        message = reports.report_take(payload)
    except reports.ReportRefused as refusal:
        status = {"unknown": 404, "replay": 409}.get(refusal.reason, 400)
        return JsonResponse({"error": refusal.reason}, status=status)
    return JsonResponse({"status": message.status})
