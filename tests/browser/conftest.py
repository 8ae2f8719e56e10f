"""Browser tests: Playwright drives Debian's Chromium against a real `omnitrip serve`.

Each xdist worker starts one server (gunicorn, as `make demo` runs it) on its own SQLite
database with the demo catalogue, and one headless Chromium. E-mail goes to files
(``site.mails()``) so a test can follow a verification link.
"""

from __future__ import annotations

import email
import email.policy
import os
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.live_http import omnitrip, serving

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach Google's hosts,
# which this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
DESKTOP = {"viewport": {"width": 1280, "height": 860}}
# A phone as Chromium emulates it: small viewport, touch, and a mobile User-Agent.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/156.0.0.0 Mobile Safari/537.36"
    ),
}


@dataclass
class Site:
    """A running omnitrip: its base URL, and a way to look inside it."""

    base: str
    env: dict[str, str]
    var_dir: Path
    mail_dir: Path
    log: Path

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def shell(self, code: str) -> str:
        """Run Python in the server's environment (``omnitrip shell -c``); its stdout."""
        return omnitrip(self.env, "shell", "-c", code)

    def mails(self) -> list[EmailMessage]:
        """Every e-mail sent so far, oldest first."""
        found: list[EmailMessage] = []
        for path in sorted(self.mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime):
            # The file backend separates messages with a line of 79 dashes.
            for chunk in path.read_text().split("-" * 79):
                if chunk.strip():
                    found.append(
                        email.message_from_string(chunk.strip(), policy=email.policy.default)
                    )
        return found

    def mails_to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.mails() if address in str(m["To"])]


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    var_dir = tmp_path_factory.mktemp("site")
    mail_dir = var_dir / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{var_dir / 'site.db'}",
        "OMNITRIP_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "omnitrip.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    env.pop("REDIS_URL", None)  # one process's local cache; the suite's Redis is shared
    env.pop("CELERY_BROKER_URL", None)
    omnitrip(env, "migrate", "--no-input", "-v", "0")
    omnitrip(env, "seed", "--demo")
    log = var_dir / "server.log"
    with serving(env, log) as base:
        yield Site(base=base, env=env, var_dir=var_dir, mail_dir=mail_dir, log=log)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"needs {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _context(browser, site: Site, options: dict, locale: str):
    context = browser.new_context(base_url=site.base, locale=locale, **options)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def page(browser, site):
    """A desktop browser tab (English browser locale)."""
    context = _context(browser, site, DESKTOP, "en-US")
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser, site):
    """A phone-sized tab with a mobile User-Agent and touch (English browser locale)."""
    context = _context(browser, site, PHONE, "en-US")
    yield context.new_page()
    context.close()


@pytest.fixture
def zh_page(browser, site):
    """A desktop tab whose browser asks for Chinese (Accept-Language zh-CN)."""
    context = _context(browser, site, DESKTOP, "zh-CN")
    yield context.new_page()
    context.close()
