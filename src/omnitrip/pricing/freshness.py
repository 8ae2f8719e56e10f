"""A product's ``updated_at`` moves whenever anything its public page shows changes.

The product page (``GET /api/v1/products/{code}``) is cached under the product's code and
``updated_at`` (omnitrip.api.endpoints.catalog), so that stamp must move when the product
*or anything shown with it* changes: its offers, room types, rate plans, taxes and fees,
images, amenities (the links and the amenities' names), cancellation policies, its
destination and its supplier's name. ``Product.save()`` stamps it itself (``auto_now``);
the receivers below stamp the products a related row belongs to, in the same transaction
as the change, so a reader sees the new stamp exactly when it sees the new rows. The
stamp lives in the database, so every web worker sees it, with the local-memory cache of
the embedded mode as with Redis.

Why receivers and not explicit calls: the Django admin edits these rows through
``save()``/``delete()``, and a page must not stay stale whichever path changed it. This is
cache freshness, not business flow (docs/DESIGN.md keeps signals out of business flow).
A bulk ``QuerySet.update()`` or ``bulk_create`` on these models bypasses receivers:
such code calls :func:`touch_products` itself (the seeds only ever insert new products,
which are stamped as they are created), and cached pages also expire after a few
minutes as a backstop.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils import timezone

from omnitrip.accounts.models import Organisation
from omnitrip.catalog.models import (
    Amenity,
    CancellationPolicy,
    Destination,
    Offer,
    Product,
    ProductImage,
    RatePlan,
    RoomType,
    TaxFee,
)

#: Rows that belong to one product (``product_id``) and appear on its page.
CHILDREN: tuple[type[Model], ...] = (Offer, RoomType, RatePlan, TaxFee, ProductImage)


def touch_products(products: QuerySet[Product] | Iterable[int]) -> int:
    """Stamp these products as changed now (a queryset or product ids); returns how many."""
    queryset = (
        products if isinstance(products, QuerySet) else Product.objects.filter(pk__in=products)
    )
    return queryset.update(updated_at=timezone.now())


def _child_changed(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loaddata: rows arrive in any order; products are stamped as saved
        return
    touch_products([instance.product_id])


def _amenity_changed(sender: type[Model], instance: Amenity, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        touch_products(Product.objects.filter(amenities=instance))


def _amenities_linked(sender: type[Model], instance: Any, action: str, **kwargs: Any) -> None:
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if isinstance(instance, Product):
        touch_products([instance.pk])
    elif action == "pre_clear":  # an amenity's links are about to go: its products now
        touch_products(Product.objects.filter(amenities=instance))
    else:
        touch_products(kwargs.get("pk_set") or ())


def _policy_changed(sender: type[Model], instance: CancellationPolicy, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        touch_products(
            Product.objects.filter(
                Q(rate_plans__cancellation_policy=instance)
                | Q(offers__cancellation_policy=instance)
            ).distinct()
        )


def _destination_changed(sender: type[Model], instance: Destination, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        touch_products(Product.objects.filter(destination=instance))


def _supplier_changed(sender: type[Model], instance: Organisation, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if kwargs.get("raw") or (fields is not None and "name_en" not in fields):
        return
    touch_products(Product.objects.filter(supplier=instance))


def connect() -> None:
    """Connect the receivers (``PricingConfig.ready``). Idempotent: fixed dispatch uids."""
    for model in CHILDREN:
        for signal in (post_save, post_delete):
            signal.connect(_child_changed, sender=model, dispatch_uid=f"freshness-{model.__name__}")
    post_save.connect(_amenity_changed, sender=Amenity, dispatch_uid="freshness-amenity")
    pre_delete.connect(_amenity_changed, sender=Amenity, dispatch_uid="freshness-amenity")
    m2m_changed.connect(
        _amenities_linked, sender=Product.amenities.through, dispatch_uid="freshness-amenities"
    )
    post_save.connect(_policy_changed, sender=CancellationPolicy, dispatch_uid="freshness-policy")
    post_save.connect(
        _destination_changed, sender=Destination, dispatch_uid="freshness-destination"
    )
    post_save.connect(_supplier_changed, sender=Organisation, dispatch_uid="freshness-supplier")
