"""Screenshots of the storefront for docs/screenshots/ (``make screenshots``).

Starts ``omnitrip serve`` on a fresh SQLite database with the demo catalogue, then walks a
booking in headless Chromium — home, search results, product, checkout, confirmation — at
desktop (1280 px) and phone (390 px) sizes, in English and Chinese, and saves
``docs/screenshots/<page>-<size>-<language>.png``. Loopback only; about a minute.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE  # noqa: E402
from tests.live_http import omnitrip, serving  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
LANGUAGES = ("en", "zh-hans")
# Phone pages at one device pixel per CSS pixel: the same layout, a quarter of the file.
SIZES = {"desktop": DESKTOP, "phone": {**PHONE, "device_scale_factor": 1}}
# The busiest city and its most popular hotel, as the server sees them.
PICK = """
import json
from django.db.models import Count
from omnitrip.catalog.models import Destination, Product, ProductKind, ProductStatus
city = (Destination.objects.filter(level=Destination.Level.CITY)
        .annotate(n=Count("products")).order_by("-n").values_list("code", flat=True).first())
hotel = (Product.objects.filter(kind=ProductKind.HOTEL, status=ProductStatus.PUBLISHED,
         destination__code=city).order_by("-popularity").values_list("code", flat=True).first())
print(json.dumps({"city": city, "hotel": hotel}))
"""


def shoot(page, name: str) -> None:
    # Photos below the first screen load lazily: scroll through the page so they are in.
    page.evaluate(
        "async () => { for (let y = 0; y < document.body.scrollHeight; y += innerHeight) {"
        " scrollTo(0, y); await new Promise(r => requestAnimationFrame(r)); } scrollTo(0, 0); }"
    )
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    print(f"  {name}.png")


def walk(browser, base: str, language: str, size: str, picks: dict[str, str]) -> None:
    locale = "zh-CN" if language.startswith("zh") else "en-US"
    context = browser.new_context(base_url=base, locale=locale, **SIZES[size])
    page = context.new_page()
    suffix = f"{size}-{language}"
    check_in = dt.date.today() + dt.timedelta(days=30)
    stay = f"check_in={check_in}&check_out={check_in + dt.timedelta(days=2)}&adults=2"
    page.goto(f"/{language}/")
    shoot(page, f"home-{suffix}")
    page.goto(f"/{language}/search/?destination={picks['city']}&{stay}&sort=popularity")
    shoot(page, f"results-{suffix}")
    page.goto(f"/{language}/p/{picks['hotel']}/?{stay}")
    shoot(page, f"product-{suffix}")
    page.locator("a[href*='/checkout/'], form[action*='/checkout/'] button").first.click()
    page.fill("input[name=name]", "李伟" if language.startswith("zh") else "Alex Morgan")
    page.fill("input[name=email]", "traveller@example.com")
    page.fill("input[name=phone]", "+86 138 0013 8000")
    page.check("input[name=accept_terms]")
    shoot(page, f"checkout-{suffix}")
    page.locator("button.checkout-submit").click()
    page.locator("button.pay-now").click()
    page.locator("button[value=approve]").click()
    page.wait_for_url("**/orders/**")
    page.locator("svg, img[src*='qr']").first.wait_for()
    shoot(page, f"confirmation-{suffix}")
    context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/screenshots.py", description=__doc__)
    parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="omnitrip-shots-") as tmp:
        var_dir = Path(tmp)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{var_dir / 'demo.db'}",
            "OMNITRIP_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "omnitrip.settings",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        for name in ("REDIS_URL", "CELERY_BROKER_URL", "OMNITRIP_ENV"):
            env.pop(name, None)
        print("migrating and seeding the demo catalogue")
        omnitrip(env, "migrate", "--no-input", "-v", "0")
        omnitrip(env, "seed", "--demo")
        picks = json.loads(omnitrip(env, "shell", "-c", PICK).strip().splitlines()[-1])
        with serving(env, var_dir / "server.log") as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for language in LANGUAGES:
                for size in SIZES:
                    print(f"{language}, {size}:")
                    walk(browser, base, language, size, picks)
            browser.close()
    print(f"saved to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
