"""Shared reference data: amenities, cancellation policies, suppliers, taxes and FX rates."""

from __future__ import annotations

from dataclasses import dataclass

from omnitrip.catalog.seeding.content.places import CN, FR, JP, TH, US

CURRENCY_OF_COUNTRY = {CN: "CNY", JP: "JPY", TH: "THB", FR: "EUR", US: "USD"}

AMENITIES: tuple[tuple[str, str, str], ...] = (
    ("wifi", "Free Wi-Fi", "免费无线网络"),
    ("pool", "Swimming pool", "游泳池"),
    ("gym", "Fitness centre", "健身中心"),
    ("spa", "Spa", "水疗中心"),
    ("parking", "Parking", "停车场"),
    ("breakfast", "Breakfast available", "提供早餐"),
    ("airport-shuttle", "Airport shuttle", "机场接送"),
    ("family-rooms", "Family rooms", "家庭房"),
    ("pet-friendly", "Pets allowed", "可携带宠物"),
    ("restaurant", "Restaurant", "餐厅"),
    ("bar", "Bar", "酒吧"),
    ("air-conditioning", "Air conditioning", "空调"),
    ("non-smoking", "Non-smoking rooms", "无烟客房"),
    ("accessible", "Accessible rooms", "无障碍客房"),
    ("ev-charging", "EV charging", "电动汽车充电"),
)


@dataclass(frozen=True)
class Policy:
    code: str
    kind: str
    name_en: str
    name_zh: str
    rules: tuple[tuple[int, str], ...]  # (days_before, penalty_percent)

    def rules_json(self) -> list[dict]:
        return [{"days_before": days, "penalty_percent": pct} for days, pct in self.rules]


FREE_3D, FREE_1D, FREE_7D_TOUR = "free-3d", "free-1d", "free-7d-tour"
NON_REFUNDABLE, FREE_UNTIL_USED, RAIL_CN = "non-refundable", "free-until-used", "rail-cn"

POLICIES: tuple[Policy, ...] = (
    Policy(
        FREE_3D,
        "free",
        "Free cancellation until 3 days before",
        "入住前3天免费取消",
        ((3, "0"), (1, "50"), (0, "100")),
    ),
    Policy(
        FREE_1D,
        "free",
        "Free cancellation until the day before",
        "使用前1天免费取消",
        ((1, "0"), (0, "100")),
    ),
    Policy(
        FREE_7D_TOUR,
        "free",
        "Free cancellation until 7 days before departure",
        "出发前7天免费取消",
        ((7, "0"), (3, "50"), (0, "100")),
    ),
    Policy(NON_REFUNDABLE, "non_refundable", "Non-refundable", "不可退款", ((0, "100"),)),
    # Open-dated tickets have no service date until they are used, so "0 days before"
    # means "any time before redemption".
    Policy(FREE_UNTIL_USED, "free", "Free cancellation until used", "未使用可随时退", ((0, "0"),)),
    # The refund fees of Chinese railways: free a week out, then 5 %, 10 % and 20 %.
    Policy(
        RAIL_CN,
        "free",
        "Railway refund rules (5–20% fee inside 8 days)",
        "铁路退票规则（开车前8天内收取5%–20%退票费）",
        ((8, "0"), (2, "5"), (1, "10"), (0, "20")),
    ),
)


@dataclass(frozen=True)
class Supplier:
    code: str
    name_en: str
    name_zh: str
    currency: str
    phone: str


SUPPLIERS: tuple[Supplier, ...] = (
    # Hotel groups
    Supplier("yunling-hotels", "Yunling Hotels Group", "云岭酒店集团", "CNY", "+86 871 6512 3080"),
    Supplier(
        "jinghua-hospitality", "Jinghua Hospitality", "京华酒店管理", "CNY", "+86 10 6525 8800"
    ),
    Supplier("jiangnan-stays", "Jiangnan Stays", "江南栖居酒店", "CNY", "+86 571 8797 6600"),
    Supplier("shanshui-hotels", "Shanshui Hotels", "山水酒店", "CNY", "+86 773 282 5500"),
    Supplier(
        "hanamichi-hotels", "Hanamichi Hotels & Ryokan", "花道酒店旅馆", "JPY", "+81 75 561 2200"
    ),
    Supplier("lanna-hospitality", "Lanna Hospitality", "兰纳酒店", "THB", "+66 53 271 400"),
    Supplier(
        "maisons-de-seine", "Maisons de Seine Hôtels", "塞纳之家酒店", "EUR", "+33 1 42 72 30 00"
    ),
    Supplier(
        "aloha-coast-resorts", "Aloha Coast Resorts", "阿罗哈海岸度假酒店", "USD", "+1 808 555 0140"
    ),
    # Tour operators
    Supplier("caiyun-travel", "Caiyun Travel", "彩云国旅", "CNY", "+86 871 6316 7000"),
    Supplier("huaxia-tours", "Huaxia Tours", "华夏国旅", "CNY", "+86 10 8511 2200"),
    Supplier("sakura-day-tours", "Sakura Day Tours", "樱花日游", "JPY", "+81 3 5555 0190"),
    Supplier("lanna-experiences", "Lanna Experiences", "兰纳体验", "THB", "+66 53 210 880"),
    Supplier("lutece-excursions", "Lutèce Excursions", "吕岱斯旅游", "EUR", "+33 1 40 20 50 50"),
    Supplier(
        "pacific-isle-tours", "Pacific Isle Tours", "太平洋岛屿旅游", "USD", "+1 808 555 0177"
    ),
    # Attraction operators
    Supplier(
        "jiuzhou-scenic-tickets",
        "Jiuzhou Scenic Ticketing",
        "九州景区票务",
        "CNY",
        "+86 28 8666 1200",
    ),
    Supplier("nippon-sights", "Nippon Sights Ticketing", "日本观光票务", "JPY", "+81 3 5555 0123"),
    # Carriers
    Supplier(
        "pan-china-rail",
        "Pan-China Rail Travel Service",
        "泛华铁路旅行服务",
        "CNY",
        "+86 21 6317 9090",
    ),
    Supplier("yulong-coach", "Yulong Coach Lines", "玉龙客运", "CNY", "+86 888 512 1100"),
    Supplier("li-river-shipping", "Li River Shipping", "漓江航运", "CNY", "+86 773 288 6600"),
    Supplier(
        "tokaido-rail-travel", "Tokaido Rail Travel", "东海道铁道旅行", "JPY", "+81 3 5555 0150"
    ),
)

# Units of CNY per one unit of each currency: the demo's "market" on any day.
CNY_PER_UNIT = {"CNY": "1", "USD": "7.18", "EUR": "7.82", "JPY": "0.0478", "THB": "0.2015"}


@dataclass(frozen=True)
class Tax:
    """A hotel tax or fee; ``amount`` is in major units for flat amounts."""

    code: str
    name_en: str
    name_zh: str
    is_tax: bool
    basis: str
    rate: str = "0"
    amount: str = "0"
    is_included: bool = False
    min_stars: int = 1  # charged by hotels of at least this many stars
    styles: tuple[str, ...] = ()  # only hotels of these styles (empty: all)


HOTEL_TAXES: dict[str, tuple[Tax, ...]] = {
    CN: (
        Tax("vat", "VAT", "增值税", True, "percent", rate="6", is_included=True),
        Tax("service-charge", "Service charge", "服务费", False, "percent", rate="10", min_stars=4),
    ),
    JP: (
        Tax(
            "consumption-tax",
            "Consumption tax",
            "消费税",
            True,
            "percent",
            rate="10",
            is_included=True,
        ),
        Tax(
            "accommodation-tax",
            "Accommodation tax (per room per night)",
            "住宿税（每间每晚）",
            True,
            "per_night",
            amount="200",
        ),
    ),
    TH: (
        Tax("vat", "VAT", "增值税", True, "percent", rate="7", is_included=True),
        Tax(
            "service-charge",
            "Service charge",
            "服务费",
            False,
            "percent",
            rate="10",
            is_included=True,
            min_stars=4,
        ),
    ),
    FR: (
        Tax("tva", "TVA (VAT)", "增值税", True, "percent", rate="10", is_included=True),
        # Paris levies the taxe de séjour per guest per night; the model has no such basis,
        # so it is recorded per person and named for what it is.
        Tax(
            "taxe-de-sejour",
            "Taxe de séjour (per person per night)",
            "城市旅游税（每人每晚）",
            True,
            "per_person",
            amount="8.13",
        ),
    ),
    US: (
        Tax(
            "transient-tax",
            "Hawaii transient accommodations tax and GET",
            "夏威夷住宿税及消费税",
            True,
            "percent",
            rate="17.96",
        ),
        Tax(
            "resort-fee",
            "Resort fee (per room per night)",
            "度假村费（每间每晚）",
            False,
            "per_night",
            amount="45",
            styles=("resort", "luxury"),
        ),
    ),
}
