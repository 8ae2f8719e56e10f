"""The demo catalogue as plain data: bilingual names, descriptions, prices and schedules.

Nothing in this package touches the database; ``omnitrip.catalog.seeding`` turns these
tables into rows. Prices are in major units of the supplier's currency (``Decimal``-safe
strings or ints); the writers convert them to minor units.
"""
