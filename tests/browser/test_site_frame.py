"""The frame every storefront page shares: language prefix, language switch, currency."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_root_sends_a_chinese_browser_to_the_chinese_site(zh_page, site):
    zh_page.goto("/")
    expect(zh_page).to_have_url(re.compile(r"/zh-hans/$"))
    assert zh_page.locator("html").get_attribute("lang") == "zh-hans"


def test_language_switch_keeps_the_page(page, site):
    page.goto("/en/terms/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Terms of booking")
    page.get_by_role("link", name="简体中文").click()
    expect(page).to_have_url(re.compile(r"/zh-hans/terms/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/terms/$"))


def test_every_page_names_its_other_language_for_search_engines(page, site):
    page.goto("/en/terms/")
    alternates = page.locator("link[rel=alternate]")
    hrefs = {a.get_attribute("hreflang"): a.get_attribute("href") for a in alternates.all()}
    assert hrefs["en"].endswith("/en/terms/")
    assert hrefs["zh-Hans"].endswith("/zh-hans/terms/")


def test_chosen_display_currency_stays_for_the_session(page, site):
    page.goto("/en/terms/")
    page.get_by_label("Show prices also in").select_option("USD")
    expect(page).to_have_url(re.compile(r"/en/terms/$"))
    expect(page.get_by_label("Show prices also in")).to_have_value("USD")
