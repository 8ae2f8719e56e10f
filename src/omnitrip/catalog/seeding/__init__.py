"""Catalogue seeds behind ``omnitrip seed``: the bilingual demo and scaled benchmark data.

- ``demo.seed_demo`` loads the fixed demo catalogue once (idempotent);
- ``scale.seed_scale`` adds N generated hotels of the same shape, fast.

Modules: ``content`` (the data tables), ``reference`` (shared rows), ``hotels`` and
``experiences`` (builders of unsaved rows), ``batch`` (bulk writes in dependency order),
``slots`` (inventory rows, COPY on PostgreSQL), ``seasons`` (prices through the year),
``images`` (Pillow-drawn product pictures).
"""

DEFAULT_SEED = 2024
DEFAULT_DAYS = 365
