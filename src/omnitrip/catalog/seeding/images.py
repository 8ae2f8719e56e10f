"""Product pictures drawn with Pillow: a sky, layered hills and a caption, in the kind's colours.

No network and no bundled photos: each product gets a cover with its title, plus a few
shared scene pictures per kind. Files are written once under MEDIA_ROOT and reused by
later runs (the names are stable), which keeps a full demo seed fast.
"""

from __future__ import annotations

import hashlib
import io
import random
import unicodedata
from functools import lru_cache

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont, ImageOps

WIDTH, HEIGHT = 640, 400
JPEG_QUALITY = 70
CAPTION_FONT, CAPTION_SIZE = "DejaVuSans.ttf", 24  # found in the system font folders

# (sky top, sky bottom, hills) per product kind.
PALETTES: dict[str, tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]] = {
    "hotel": ((28, 66, 120), (236, 190, 150), (30, 52, 84)),
    "tour": ((52, 120, 170), (214, 236, 206), (38, 96, 62)),
    "attraction": ((150, 64, 40), (250, 214, 140), (96, 48, 36)),
    "transport": ((62, 56, 118), (200, 196, 236), (48, 44, 78)),
}

# Alt text of the shared scene pictures, per kind (en, zh).
SCENES: dict[str, tuple[tuple[str, str], ...]] = {
    "hotel": (
        ("Guest room", "客房"),
        ("Lobby and lounge", "大堂与休息区"),
        ("View from the hotel", "酒店景观"),
    ),
    "tour": (
        ("On the road", "行程途中"),
        ("Scenery along the way", "沿途风光"),
        ("The group at a viewpoint", "观景台合影"),
    ),
    "attraction": (
        ("Entrance", "入口"),
        ("Highlights", "精华景观"),
        ("Visitors exploring", "游客参观"),
    ),
    "transport": (("On board", "车厢内景"), ("Seats", "座椅"), ("Departure", "出发")),
}


def _shade(colour: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    r, g, b = (min(255, int(c * factor)) for c in colour)
    return (r, g, b)


@lru_cache(maxsize=1)
def _system_font() -> ImageFont.FreeTypeFont | None:
    try:
        return ImageFont.truetype(CAPTION_FONT, CAPTION_SIZE)
    except OSError:
        return None


def _caption_font(caption: str) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, str]:
    """DejaVu Sans when the system has it; else Pillow's own font, which lacks accents."""
    font = _system_font()
    if font is not None:
        return font, caption
    folded = unicodedata.normalize("NFKD", caption).encode("ascii", "ignore").decode()
    return ImageFont.load_default(size=CAPTION_SIZE), folded


def render(kind: str, caption: str, seed: str) -> bytes:
    """A JPEG landscape of about 10 kB; the same arguments draw the same picture."""
    rng = random.Random(seed)
    top, bottom, hills = PALETTES[kind]
    gradient = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    image = ImageOps.colorize(gradient, black=top, white=bottom).convert("RGB")
    draw = ImageDraw.Draw(image)
    sun_x, sun_y, radius = rng.randint(80, 560), rng.randint(60, 150), rng.randint(26, 44)
    draw.ellipse(
        (sun_x - radius, sun_y - radius, sun_x + radius, sun_y + radius), fill=_shade(bottom, 1.08)
    )
    for layer in range(3):
        base = 220 + layer * 55
        points = [(0, HEIGHT)]
        x = 0
        while x < WIDTH + 80:
            points.append((x, base - rng.randint(20, 110 - layer * 25)))
            x += rng.randint(60, 140)
        points.append((WIDTH, HEIGHT))
        draw.polygon(points, fill=_shade(hills, 1.5 - layer * 0.3))
    if caption:
        font, caption = _caption_font(caption)
        draw.rectangle((0, HEIGHT - 64, WIDTH, HEIGHT), fill=_shade(hills, 0.6))
        draw.text((24, HEIGHT - 48), caption[:44], font=font, fill=(250, 248, 240))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def ensure_image(name: str, kind: str, caption: str) -> str:
    """Write the picture at ``name`` in the media storage unless it is already there."""
    if default_storage.exists(name):
        return name
    # If another process wrote the same name meanwhile, the storage saves under a new name;
    # returning what was saved keeps every image row pointing at a real file.
    return default_storage.save(name, ContentFile(render(kind, caption, seed=name)))


def cover_name(folder: str, product_code: str, caption: str) -> str:
    # The caption's digest in the name: a retitled product gets a new cover, not a stale one.
    digest = hashlib.sha256(caption.encode()).hexdigest()[:8]
    return f"products/{folder}/{product_code}-{digest}.jpg"


def scene_images(folder: str, kind: str) -> list[tuple[str, str, str]]:
    """The shared scenes of a kind as (file name, alt en, alt zh), creating missing files."""
    return [
        (ensure_image(f"products/{folder}/{kind}-scene-{i + 1}.jpg", kind, ""), en, zh)
        for i, (en, zh) in enumerate(SCENES[kind])
    ]
