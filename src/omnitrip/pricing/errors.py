from omnitrip.core.errors import DomainError, InvalidInput


class InvalidDates(InvalidInput):
    code = "invalid_dates"
    title = "The dates are not valid"


class InvalidParty(InvalidInput):
    code = "invalid_party"
    title = "The number of guests or units is not valid"


class NotBookable(DomainError):
    code = "not_bookable"
    status = 409
    title = "These dates cannot be booked"


class CurrencyMismatch(InvalidInput):
    code = "currency_mismatch"
    title = "All items of one order must be sold in the same currency"


class NoExchangeRate(InvalidInput):
    code = "no_exchange_rate"
    title = "No exchange rate for that display currency"
