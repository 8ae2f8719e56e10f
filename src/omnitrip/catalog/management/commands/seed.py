"""``omnitrip seed``: load the demo catalogue or a scaled one for benchmarks."""

from __future__ import annotations

from argparse import ArgumentTypeError

from django.core.management.base import BaseCommand, CommandError, CommandParser

from omnitrip.catalog.seeding import DEFAULT_DAYS, DEFAULT_SEED
from omnitrip.catalog.seeding.demo import SeedError, seed_demo
from omnitrip.catalog.seeding.scale import seed_scale, validate_prefix


def positive_number(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return number


class Command(BaseCommand):
    help = (
        "Load catalogue data. --demo loads the bilingual demo catalogue (60 hotels, 20 tours, "
        "30 attractions, 5 routes in 13 cities, with inventory from today) once: if it is "
        "already there nothing changes. --scale N adds N generated hotels of the same shape "
        "for benchmarks; every run adds new hotels."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument(
            "--demo", action="store_true", help="load the demo catalogue unless it is present"
        )
        what.add_argument(
            "--scale",
            type=positive_number,
            metavar="N",
            help="add N benchmark hotels (2-4 room types, standard and derived rate plans)",
        )
        parser.add_argument(
            "--days",
            type=positive_number,
            default=DEFAULT_DAYS,
            help=f"days of inventory from today, in each product's time zone "
            f"(default {DEFAULT_DAYS})",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"random seed; the same seed gives the same catalogue (default {DEFAULT_SEED})",
        )
        parser.add_argument(
            "--prefix",
            default="SC",
            help="with --scale: code prefix of the new hotels, a letter then up to 5 letters "
            "or digits (default SC); numbering continues after the prefix's highest hotel",
        )
        parser.add_argument(
            "--batch-size",
            type=positive_number,
            default=5000,
            help="rows per INSERT batch (default 5000); on PostgreSQL slots are streamed "
            "with COPY instead",
        )

    def handle(self, *args, **options) -> None:
        if options["demo"]:
            self._demo(options)
        else:
            self._scale(options)

    def _demo(self, options: dict) -> None:
        try:
            result = seed_demo(
                days=options["days"],
                seed=options["seed"],
                batch_size=options["batch_size"],
                log=self._log,
            )
        except SeedError as error:
            raise CommandError(str(error)) from error
        if result is None:
            self.stdout.write("The demo catalogue is already loaded; nothing to do.")
            return
        counts = result.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo catalogue loaded: {counts.products} products, {counts.offers} offers, "
                f"{counts.slots:,} inventory slots in {result.seconds:.1f} s."
            )
        )

    def _scale(self, options: dict) -> None:
        try:
            prefix = validate_prefix(options["prefix"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Adding {options['scale']:,} hotels with prefix {prefix}…")
        try:
            result = seed_scale(
                options["scale"],
                days=options["days"],
                seed=options["seed"],
                prefix=prefix,
                batch_size=options["batch_size"],
                log=self._log,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        counts = result.counts
        last = result.first_number + counts.products - 1
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {counts.products:,} hotels ({prefix}{result.first_number:06d} to "
                f"{prefix}{last:06d}), {counts.offers:,} offers and {counts.slots:,} inventory "
                f"slots in {result.seconds:.1f} s."
            )
        )

    def _log(self, message: str) -> None:
        self.stdout.write(message)
