"""Accessibility checks on the main pages in both languages: every form control has a label,
every image has alt text, text has enough contrast, the page says its language."""

from __future__ import annotations

import datetime as dt

import pytest

PAGES = [
    "/{lang}/",
    "/{lang}/search/?destination=lijiang&adults=2",
    "/{lang}/destinations/lijiang/",
    "/{lang}/trips/",
    "/{lang}/accounts/login/",
    "/{lang}/accounts/signup/",
    "/{lang}/terms/",
]

# Controls without an accessible name, images without alt, and text whose contrast with
# its background is below WCAG AA (4.5:1; 3:1 for large text). Text over a background
# image or gradient is skipped: its background cannot be read from CSS.
AUDIT = """() => {
  const problems = [];
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden" || !visible(el)) continue;
    const named = (el.labels && el.labels.length) || el.getAttribute("aria-label")
      || el.getAttribute("aria-labelledby") || el.getAttribute("title");
    if (!named) problems.push("no label: " + el.outerHTML.slice(0, 120));
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push("no alt: " + img.outerHTML.slice(0, 120));
  }
  const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== "none") return null;
      const color = rgb(style.backgroundColor);
      if (color.length === 3 || (color.length === 4 && color[3] === 1)) return color.slice(0, 3);
    }
    return [255, 255, 255];
  };
  for (const el of document.querySelectorAll("body *")) {
    const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join("").trim();
    if (!text || !visible(el)) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || parseFloat(style.opacity) < 1) continue;
    const back = background(el);
    if (back === null) continue;
    const fore = rgb(style.color).slice(0, 3);
    const [light, dark] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight, 10) >= 700);
    if (ratio < (large ? 3 : 4.5)) problems.push(`contrast ${ratio.toFixed(2)}: "${text.slice(0, 40)}"`);
  }
  return problems;
}"""


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
@pytest.mark.parametrize("path", PAGES)
def test_page_is_labelled_described_and_readable(page, site, path, lang):
    response = page.goto(path.format(lang=lang))
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").count() == 1
    assert page.evaluate(AUDIT) == []


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_product_and_checkout_pages_pass_the_same_audit(page, site, lang):
    code = site.shell(
        "from omnitrip.catalog.models import Product;"
        "print(Product.objects.filter(kind='hotel', status='published')"
        ".order_by('-popularity').values_list('code', flat=True).first())"
    ).splitlines()[-1]
    check_in, check_out = _stay()
    stay = f"check_in={check_in}&check_out={check_out}&adults=2"
    assert page.goto(f"/{lang}/p/{code}/?{stay}").status == 200
    assert page.evaluate(AUDIT) == []
    page.locator("a[href*='/checkout/'], form[action*='/checkout/'] button").first.click()
    page.wait_for_url("**/checkout/**")
    assert page.locator("input[name=email]").count() == 1
    assert page.evaluate(AUDIT) == []


def _stay() -> tuple[str, str]:
    check_in = dt.date.today() + dt.timedelta(days=30)
    return check_in.isoformat(), (check_in + dt.timedelta(days=2)).isoformat()


def test_keyboard_reaches_the_skip_link_first_and_it_moves_focus_to_the_content(page, site):
    page.goto("/en/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_the_audit_finds_a_missing_label_a_missing_alt_and_grey_on_white(page, site):
    """The audit itself: a page with all three faults is reported three times."""
    page.goto("/en/terms/")
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML("beforeend",
        '<input type="text" name="x"><img src="/static/storefront/favicon.svg">'
        + '<p style="color:#bbb">faint</p>')"""
    )
    problems = page.evaluate(AUDIT)
    assert [p.split(":")[0] for p in problems] == ["no label", "no alt", "contrast 1.92"]
