"""Inbound payment provider notifications: verified, stored, then processed."""

from __future__ import annotations

from contextlib import suppress

from django.http import HttpRequest, HttpResponse
from ninja import Router

from omnitrip.orders.services.payments import receive_payment_notification
from omnitrip.payments.errors import NotificationIgnored
from omnitrip.payments.providers import get_provider

from ..schemas import Problem

router = Router(tags=["payments"])


@router.post(
    "/payments/{provider}/notify",
    response={200: None, 400: Problem, 404: Problem, 422: Problem},
    operation_id="payment_notification",
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {}, "application/x-www-form-urlencoded": {}}
        }
    },
)
def payment_notification(request: HttpRequest, provider: str):
    """A provider's asynchronous notification. The signature is checked before anything is read."""
    impl = get_provider(provider)
    # A signed, genuine event with nothing for us to do is acknowledged so it is not resent.
    with suppress(NotificationIgnored):
        receive_payment_notification(
            provider,
            request.body,
            dict(request.headers),
            remote_addr=request.META.get("REMOTE_ADDR", ""),
        )
    status, content_type, body = impl.acknowledgement(True)
    return HttpResponse(body, status=status, content_type=content_type)
