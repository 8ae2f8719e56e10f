from omnitrip.core.errors import Conflict, DomainError


class SoldOut(Conflict):
    code = "sold_out"
    title = "Not enough availability left"


class NotBookable(DomainError):
    code = "not_bookable"
    status = 409
    title = "These dates cannot be booked"
