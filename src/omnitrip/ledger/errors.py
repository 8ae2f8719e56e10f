from omnitrip.core.errors import Conflict, DomainError


class UnbalancedEntry(DomainError):
    code = "unbalanced_entry"
    status = 500
    title = "A journal entry must balance in every currency"


class InsufficientFunds(Conflict):
    code = "insufficient_funds"
    title = "Not enough balance for this payment"


class CreditLimitExceeded(Conflict):
    code = "credit_limit_exceeded"
    title = "This would exceed the account's credit limit"
