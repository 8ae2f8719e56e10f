from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "omnitrip.core"
    label = "core"

    def ready(self) -> None:
        # Import the Celery app so @shared_task binds to it in every process.
        from omnitrip import celery  # noqa: F401
