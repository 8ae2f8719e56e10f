"""Stripe Checkout payments.

Set ``STRIPE_SECRET_KEY`` and ``STRIPE_WEBHOOK_SECRET`` (``settings.STRIPE``) to enable it,
and point a Stripe webhook endpoint at ``/api/v1/payments/stripe/notify`` subscribed to
:data:`~.notifications.HANDLED_EVENT_TYPES` (the four ``checkout.session.*`` events);
other event types are acknowledged and ignored. Run the "Itemized balance change from
activity" report with :data:`~.settlement.REPORT_COLUMNS` for settlement files.
"""
