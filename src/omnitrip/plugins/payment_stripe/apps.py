from django.apps import AppConfig


class PaymentStripeConfig(AppConfig):
    name = "omnitrip.plugins.payment_stripe"
    label = "payment_stripe"
    verbose_name = "Stripe payments"

    def ready(self) -> None:
        from omnitrip.payments.providers import register

        from .provider import StripeProvider

        # Registered always; usable only while settings.STRIPE has both secrets
        # (StripeProvider.is_enabled), so the registry hides it otherwise.
        register(StripeProvider())
