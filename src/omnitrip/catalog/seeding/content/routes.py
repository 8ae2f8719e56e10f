"""Five demo transport routes: scheduled departures, each sold in one or more seat classes."""

from __future__ import annotations

from dataclasses import dataclass

from omnitrip.catalog.seeding.content.reference import FREE_1D, RAIL_CN


@dataclass(frozen=True)
class Departure:
    service: str  # train number or departure time, part of the offer code
    departs: str  # "HH:MM" local time at the origin
    arrives: str
    minutes: int


@dataclass(frozen=True)
class SeatClass:
    seat_class: str  # stored on Offer.seat_class
    code: str  # part of the offer code
    name_en: str
    name_zh: str
    adult: int | str  # major units
    capacity: int


@dataclass(frozen=True)
class Route:
    code: str  # "<from>-<to>": offer codes are "<code>-<service>-<seat class>"
    origin_city: str
    destination: str
    supplier: str
    policy: str
    title_en: str
    title_zh: str
    origin_en: str
    origin_zh: str
    departures: tuple[Departure, ...]
    seats: tuple[SeatClass, ...]
    description_en: str
    description_zh: str
    child_share: str = "0.5"  # child fare as a share of the adult fare


ROUTES: tuple[Route, ...] = (
    Route(
        "KMG-LJG",
        "kunming",
        "lijiang",
        "pan-china-rail",
        RAIL_CN,
        "Kunming to Lijiang Bullet Train",
        "昆明—丽江动车",
        "Kunming Station",
        "昆明站",
        (
            Departure("D8761", "07:25", "10:40", 195),
            Departure("D8765", "11:08", "14:26", 198),
            Departure("D8781", "16:40", "19:58", 198),
        ),
        (
            SeatClass("second", "2ND", "Second class", "二等座", "202.00", 520),
            SeatClass("first", "1ST", "First class", "一等座", "323.00", 60),
        ),
        "Bullet trains climb from Kunming Station across the Yunnan plateau to Lijiang in a "
        "little over three hours, by way of Chuxiong and Dali. Seats are assigned when you "
        "book; show the passport or ID card used for the booking at the gate.",
        "动车从昆明站出发，经楚雄、大理驶过云南高原，约三个多小时抵达丽江。"
        "预订时即分配座位，进站时请出示订票所用的护照或身份证。",
    ),
    Route(
        "SHA-HGH",
        "shanghai-city",
        "hangzhou",
        "pan-china-rail",
        RAIL_CN,
        "Shanghai to Hangzhou High-Speed Rail",
        "上海—杭州高铁",
        "Shanghai Hongqiao Station",
        "上海虹桥站",
        (
            Departure("G7501", "07:00", "07:59", 59),
            Departure("G7311", "09:33", "10:38", 65),
            Departure("G7355", "13:10", "14:05", 55),
            Departure("G7375", "18:22", "19:20", 58),
        ),
        (
            SeatClass("second", "2ND", "Second class", "二等座", "73.00", 600),
            SeatClass("first", "1ST", "First class", "一等座", "117.00", 80),
            SeatClass("business", "BIZ", "Business class", "商务座", "219.00", 10),
        ),
        "G-series trains link Shanghai Hongqiao with Hangzhou East in about an hour at up to "
        "350 km/h. Business class has lie-flat seats in a small cabin at each end of the "
        "train.",
        "G字头高铁以最高350公里的时速往返上海虹桥与杭州东，全程约一小时。"
        "商务座为位于列车两端小包厢内的可平躺座椅。",
    ),
    Route(
        "UKY-TYO",
        "kyoto",
        "tokyo-city",
        "tokaido-rail-travel",
        FREE_1D,
        "Kyoto to Tokyo Nozomi Shinkansen",
        "京都—东京新干线希望号",
        "Kyoto Station",
        "京都站",
        (
            Departure("N212", "08:19", "10:33", 134),
            Departure("N230", "11:19", "13:33", 134),
            Departure("N256", "15:49", "18:03", 134),
        ),
        (
            SeatClass("ordinary", "ORD", "Ordinary car, reserved", "普通车厢指定席", 14170, 800),
            SeatClass("green", "GRN", "Green car (first class)", "绿色车厢（一等座）", 19230, 100),
        ),
        "The Nozomi is the fastest service on the Tokaido Shinkansen, covering Kyoto to Tokyo "
        "in about two hours and a quarter. Ask for a window seat E, on the north side of the "
        "train, for a chance to see Mount Fuji near Shin-Fuji.",
        "希望号是东海道新干线最快的列车，从京都到东京约需两小时十五分钟。"
        "选择E座（列车北侧靠窗），在新富士站附近有机会看到富士山。",
    ),
    Route(
        "DLU-LJG",
        "dali",
        "lijiang",
        "yulong-coach",
        FREE_1D,
        "Dali to Lijiang Express Coach",
        "大理—丽江快速大巴",
        "Dali Ancient Town Coach Station",
        "大理古城客运站",
        (
            Departure("0830", "08:30", "11:30", 180),
            Departure("1300", "13:00", "16:00", 180),
            Departure("1630", "16:30", "19:30", 180),
        ),
        (
            SeatClass("standard", "STD", "Standard seat", "标准座", "85.00", 45),
            SeatClass("vip", "VIP", "VIP 2+1 seat", "商务座（2+1）", "128.00", 24),
        ),
        "Air-conditioned coaches follow the expressway north from Dali through the upland "
        "valleys of Heqing to Lijiang's main coach station. The VIP coach has wide reclining "
        "seats in a two-plus-one layout and an attendant for luggage.",
        "空调大巴从大理出发沿高速公路北上，经鹤庆山间盆地抵达丽江客运站。"
        "商务大巴采用“2+1”宽大可躺座椅，并配有行李服务员。",
        child_share="0.75",
    ),
    Route(
        "KWL-YSO",
        "guilin",
        "yangshuo",
        "li-river-shipping",
        FREE_1D,
        "Guilin to Yangshuo Li River Boat",
        "桂林—阳朔漓江游船",
        "Mopanshan Pier, Guilin",
        "桂林磨盘山码头",
        (Departure("0830", "08:30", "13:00", 270), Departure("0930", "09:30", "14:00", 270)),
        (
            SeatClass("three-star", "3SB", "Three-star boat", "三星船", "215.00", 150),
            SeatClass("four-star", "4SB", "Four-star boat", "四星船", "360.00", 120),
        ),
        "The boat follows the Li River for about 83 km between karst peaks, past Nine Horse "
        "Fresco Hill and the view printed on the 20-yuan note. Lunch is served on board, and "
        "the trip ends at the pier by Yangshuo's West Street.",
        "游船沿漓江在喀斯特群峰间航行约83公里，途经九马画山及二十元人民币背面图案的取景地。"
        "船上提供午餐，终点为阳朔西街附近的码头。",
    ),
)
