"""The "Destination office" staff group: may read and edit destinations and their photos.

Permissions are normally created after ``migrate`` (the post_migrate signal), so this
migration creates the catalogue's permissions itself before granting them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Destination office"
CODENAMES = (
    "view_destination",
    "change_destination",
    "view_destinationimage",
    "add_destinationimage",
    "change_destinationimage",
    "delete_destinationimage",
)


def create_group(apps, schema_editor):
    catalog = apps.get_app_config("catalog")
    catalog.models_module = True  # create_permissions skips apps without a models module
    create_permissions(catalog, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="catalog", codename__in=CODENAMES)
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_destination_guide_images"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
