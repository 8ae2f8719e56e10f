from celery import shared_task

from . import services


@shared_task(name="omnitrip.inventory.tasks.release_expired_holds")
def release_expired_holds() -> int:
    return services.release_expired_holds()
