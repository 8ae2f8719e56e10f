"""Errors of the Alipay plug-in, each with a stable ``code`` and an HTTP status."""

from __future__ import annotations

from omnitrip.core.errors import DomainError
from omnitrip.payments.errors import NotificationIgnored, ProviderError


class NotificationNotFinal(NotificationIgnored):
    """A genuine notification about a trade that is still waiting for the buyer.

    The order flow only acts on final outcomes. It is acknowledged (``success``) and
    ignored: the final status arrives as a notification of its own.
    """

    code = "notification_not_final"
    status = 200
    title = "The notification reports a trade that has not finished"


class MalformedNotification(DomainError):
    """The signature was valid but the notification lacks what we need, or is invalid."""

    code = "malformed_notification"
    status = 400
    title = "The notification body is not valid"


class UnverifiedResponse(ProviderError):
    """Alipay's gateway answered, but not with a response we could authenticate.

    A subclass of :class:`ProviderError`, so the refund task retries: the next attempt
    sends the same ``out_request_no`` and Alipay never pays a refund twice.
    """

    code = "provider_response_unverified"
    title = "The payment provider's answer could not be verified"
