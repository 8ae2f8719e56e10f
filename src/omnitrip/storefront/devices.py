"""Which channel a page request belongs to: the mobile web or the desktop web."""

from __future__ import annotations

import re

from django.http import HttpRequest

from omnitrip.orders.models import Channel

# Phones and small tablets announce themselves in the User-Agent ("Mobi" is Mozilla's advice
# for detecting mobile browsers); Chromium also sends the Sec-CH-UA-Mobile client hint.
_MOBILE = re.compile(r"Mobi|Android.+Mobile|iPhone|iPod|Windows Phone|HarmonyOS", re.IGNORECASE)


def web_channel(request: HttpRequest) -> str:
    """``mobile_web`` for a phone's browser, ``web`` otherwise."""
    if request.headers.get("Sec-CH-UA-Mobile") == "?1":
        return Channel.MOBILE_WEB
    if _MOBILE.search(request.headers.get("User-Agent", "")):
        return Channel.MOBILE_WEB
    return Channel.WEB
