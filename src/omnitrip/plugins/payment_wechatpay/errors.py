"""Errors of the WeChat Pay plug-in, each with a stable code.

A forged, stale or undecryptable callback is :class:`omnitrip.payments.errors.InvalidSignature`;
WeChat Pay unreachable or answering 5xx is :class:`omnitrip.payments.errors.ProviderError`.
The classes here cover what is particular to WeChat Pay.
"""

from __future__ import annotations

from omnitrip.core.errors import DomainError
from omnitrip.payments.errors import ProviderError


class UnverifiedResponse(ProviderError):
    """A 2xx answer whose ``Wechatpay-Signature`` is missing, wrong or stale.

    A subclass of ``ProviderError`` on purpose: nothing in the answer is trusted, so a
    refund stays ``pending`` and is retried, exactly as if WeChat Pay had been unreachable.
    """

    code = "wechatpay_unverified_response"
    title = "WeChat Pay's answer could not be verified"


class WechatPayRefused(DomainError):
    """WeChat Pay understood the request and said no (a 4xx with its own ``code``)."""

    code = "wechatpay_refused"
    status = 502
    title = "WeChat Pay refused the request"


class MalformedNotification(DomainError):
    """The signature was valid but the callback is not one we understand."""

    code = "malformed_notification"
    status = 400
    title = "The notification body is not valid"


class NotificationNotFinal(DomainError):
    """A transaction that is still open (``NOTPAY``, ``USERPAYING``…): nothing to record yet."""

    code = "notification_not_final"
    status = 400
    title = "The notification does not report a final payment state"


class NotificationNotPayment(DomainError):
    """A valid callback about something other than a payment (a refund result, say)."""

    code = "notification_not_payment"
    status = 400
    title = "The notification is not about a payment"
