from omnitrip.core.errors import Conflict, DomainError


class SoldOut(Conflict):
    code = "sold_out"
    title = "Not enough availability left"


class NotBookable(DomainError):
    code = "not_bookable"
    status = 409
    title = "These dates cannot be booked"


class InventoryChanged(Conflict):
    """A slot's price or rules changed between the unlocked read a checkout priced from and
    the moment it took the slot: the checkout starts again (locking first)."""

    code = "inventory_changed"
    title = "The price or conditions changed while booking; please try again"
