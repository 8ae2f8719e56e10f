from omnitrip.core.errors import Conflict, DomainError, InvalidInput, NotFound


class OrderNotFound(NotFound):
    code = "not_found"
    title = "Order not found"


class OrderExpired(Conflict):
    code = "order_expired"
    title = "The order's hold has expired; start a new booking"


class OrderNotPayable(Conflict):
    code = "order_not_payable"
    title = "This order is not waiting for payment"


class NotCancellable(Conflict):
    code = "not_cancellable"
    title = "This order can no longer be cancelled"


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status = 422
    title = "This Idempotency-Key was already used for a different request"


class InvalidContact(InvalidInput):
    code = "invalid_contact"
    title = "Contact details are missing or invalid"
