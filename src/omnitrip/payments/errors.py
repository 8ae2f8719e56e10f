from omnitrip.core.errors import Conflict, DomainError, InvalidInput, NotFound


class InvalidSignature(DomainError):
    code = "invalid_signature"
    status = 400
    title = "The notification's signature is missing, wrong or stale"


class AmountMismatch(DomainError):
    code = "amount_mismatch"
    status = 400
    title = "The notification's amount or currency does not match the payment"


class UnknownProvider(NotFound):
    code = "unknown_provider"
    title = "No such payment provider"


class ProviderUnavailable(InvalidInput):
    code = "provider_unavailable"
    title = "This payment method is not available for this order"


class RefundTooLarge(Conflict):
    code = "refund_exceeds_captured"
    title = "A refund cannot exceed what was captured"


class ProviderError(DomainError):
    code = "provider_error"
    status = 502
    title = "The payment provider could not be reached"


class NotificationIgnored(DomainError):
    """A genuine, correctly signed notification that is not about one of our payments (or
    not yet final). Vendors retry non-2xx answers for days, so it is acknowledged with a
    2xx and nothing is stored or changed."""

    code = "notification_ignored"
    status = 200
    title = "Notification acknowledged and ignored"
