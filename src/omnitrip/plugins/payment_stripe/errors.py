"""Errors of the Stripe plug-in, each with a stable code and the HTTP status it answers with."""

from __future__ import annotations

from omnitrip.core.errors import DomainError
from omnitrip.payments.errors import NotificationIgnored


class MalformedNotification(DomainError):
    """The signature was valid but the event is not one we can read.

    Answered with 400 on purpose: Stripe retries a non-2xx delivery for up to three days,
    which is what we want while a body we cannot read is investigated and fixed.
    """

    code = "malformed_notification"
    status = 400
    title = "The Stripe event body is not valid"


class IgnoredNotification(NotificationIgnored):
    """A genuine, correctly signed Stripe event that says nothing about one of our payments.

    Stripe sends every event type the endpoint subscribes to, and retries any non-2xx
    answer for days before disabling the endpoint. An event we do not act on (another
    type, a subscription-mode session, a session paid later by a delayed method, a session
    that is not ours) must therefore be *acknowledged*, not refused: the status is 200.
    Raising it still stops the intake before anything is stored or changed.
    """

    code = "notification_ignored"
    status = 200
    title = "The Stripe event was received and needs no action"
