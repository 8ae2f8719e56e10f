"""Sixty demo hotels, their room types, and the sentences their descriptions are built from."""

from __future__ import annotations

from dataclasses import dataclass

HERITAGE, LUXURY, RESORT, BUSINESS = "heritage", "luxury", "resort", "business"
BOUTIQUE, BUDGET, RYOKAN, FAMILY = "boutique", "budget", "ryokan", "family"


@dataclass(frozen=True)
class Hotel:
    destination: str  # a city or an area code
    name_en: str
    name_zh: str
    stars: int
    style: str


HOTELS: tuple[Hotel, ...] = (
    # Kunming
    Hotel("green-lake", "Green Lake Courtyard Hotel", "翠湖庭院酒店", 4, HERITAGE),
    Hotel("dianchi", "Dianchi Lakeside Resort", "滇池湖畔度假酒店", 5, RESORT),
    Hotel("kunming", "Spring City Business Hotel", "春城商务酒店", 3, BUSINESS),
    Hotel("kunming", "Yunnan Tea House Inn", "云南茶舍客栈", 3, BOUTIQUE),
    Hotel("kunming", "Golden Horse Grand Hotel Kunming", "昆明金马大酒店", 5, LUXURY),
    Hotel("kunming", "Dounan Flower Garden Hotel", "斗南花园酒店", 4, FAMILY),
    # Lijiang
    Hotel("lijiang-old-town", "Naxi Courtyard Lijiang", "丽江纳西院落", 4, HERITAGE),
    Hotel("lijiang", "Jade Dragon View Resort", "玉龙观景度假酒店", 5, RESORT),
    Hotel("shuhe", "Shuhe Stream Inn", "束河溪畔客栈", 3, BOUTIQUE),
    Hotel("lijiang", "Black Dragon Pool Hotel", "黑龙潭酒店", 4, BUSINESS),
    Hotel("lijiang-old-town", "Lion Hill Lodge", "狮子山小筑", 2, BUDGET),
    # Dali
    Hotel("shuanglang", "Erhai Sunrise Boutique Hotel", "洱海日出精品酒店", 4, BOUTIQUE),
    Hotel("dali-ancient-town", "Cangshan Stone House", "苍山石屋", 3, HERITAGE),
    Hotel("dali-ancient-town", "Bai Courtyard Dali", "大理白族院落", 4, HERITAGE),
    Hotel("dali", "Butterfly Spring Resort", "蝴蝶泉度假酒店", 5, RESORT),
    # Beijing
    Hotel("wangfujing", "Forbidden City Courtyard Hotel", "紫禁城四合院酒店", 4, HERITAGE),
    Hotel("wangfujing", "Jinbao Street Grand Hotel", "金宝街大酒店", 5, LUXURY),
    Hotel("houhai", "Houhai Hutong Inn", "后海胡同客栈", 3, BOUTIQUE),
    Hotel("beijing-city", "Chaoyang CBD Business Hotel", "朝阳CBD商务酒店", 4, BUSINESS),
    Hotel("beijing-city", "Temple of Heaven Garden Hotel", "天坛花园酒店", 4, FAMILY),
    Hotel("beijing-city", "Qianmen Budget Inn", "前门简居旅舍", 2, BUDGET),
    # Shanghai
    Hotel("the-bund", "Bund Heritage Hotel", "外滩传承酒店", 5, HERITAGE),
    Hotel("lujiazui", "Lujiazui Skyline Hotel", "陆家嘴天际酒店", 5, LUXURY),
    Hotel("shanghai-city", "Wukang Road Boutique Hotel", "武康路精品酒店", 4, BOUTIQUE),
    Hotel("the-bund", "Nanjing Road Business Hotel", "南京路商务酒店", 3, BUSINESS),
    Hotel("shanghai-city", "Shikumen Lane Inn", "石库门里弄客栈", 3, HERITAGE),
    Hotel("shanghai-city", "Hongqiao Transit Hotel", "虹桥枢纽酒店", 3, BUSINESS),
    # Hangzhou
    Hotel("west-lake", "West Lake Pavilion Hotel", "西湖水阁酒店", 5, RESORT),
    Hotel("hangzhou", "Longjing Tea Garden Retreat", "龙井茶园度假村", 4, RESORT),
    Hotel("hangzhou", "Hefang Street Inn", "河坊街客栈", 3, HERITAGE),
    Hotel("hangzhou", "Qianjiang New City Hotel", "钱江新城酒店", 4, BUSINESS),
    Hotel("west-lake", "Xixi Wetland Lodge", "西溪湿地小筑", 4, BOUTIQUE),
    # Chengdu
    Hotel("kuanzhai-alley", "Kuanzhai Courtyard Hotel", "宽窄庭院酒店", 4, HERITAGE),
    Hotel("chengdu", "Chunxi Road Grand Hotel", "春熙路大酒店", 5, LUXURY),
    Hotel("chengdu", "Panda Valley Family Hotel", "熊猫谷亲子酒店", 3, FAMILY),
    Hotel("chengdu", "Jinli Teahouse Inn", "锦里茶馆客栈", 3, BOUTIQUE),
    Hotel("chengdu", "Tianfu Square Business Hotel", "天府广场商务酒店", 4, BUSINESS),
    # Guilin
    Hotel("guilin", "Li River Landscape Hotel", "漓江山水酒店", 4, RESORT),
    Hotel("yangshuo", "Yangshuo Karst Retreat", "阳朔喀斯特度假村", 4, RESORT),
    Hotel("yangshuo", "West Street Garden Inn", "西街花园客栈", 2, BUDGET),
    Hotel("guilin", "Elephant Hill Grand Hotel", "象山大酒店", 5, LUXURY),
    # Kyoto
    Hotel("gion", "Gion Machiya Ryokan", "祇园町家旅馆", 4, RYOKAN),
    Hotel("arashiyama", "Arashiyama Bamboo Ryokan", "岚山竹林旅馆", 5, RYOKAN),
    Hotel("kyoto", "Kyoto Station Garden Hotel", "京都站花园酒店", 3, BUSINESS),
    Hotel("kyoto", "Kamogawa Riverside Hotel", "鸭川河畔酒店", 4, BOUTIQUE),
    Hotel("gion", "Higashiyama Lantern Hostel", "东山灯笼旅舍", 2, BUDGET),
    # Tokyo
    Hotel("shinjuku", "Shinjuku Skyline Tower Hotel", "新宿天际塔酒店", 4, BUSINESS),
    Hotel("asakusa", "Asakusa Sumida Ryokan", "浅草隅田旅馆", 3, RYOKAN),
    Hotel("tokyo-city", "Ginza Kagura Hotel", "银座神乐酒店", 5, LUXURY),
    Hotel("tokyo-city", "Marunouchi Garden Hotel", "丸之内花园酒店", 4, FAMILY),
    Hotel("tokyo-city", "Ueno Park Cabin Hotel", "上野公园舱房酒店", 2, BUDGET),
    # Chiang Mai
    Hotel("chiang-mai-old-city", "Lanna Old City Boutique", "兰纳古城精品酒店", 4, BOUTIQUE),
    Hotel("nimman", "Nimman Garden Residence", "宁曼花园公寓酒店", 3, BUSINESS),
    Hotel("chiang-mai", "Ping River Teak Resort", "滨河柚木度假村", 5, RESORT),
    # Paris
    Hotel("le-marais", "Hôtel des Francs-Bourgeois", "弗朗布尔乔亚酒店", 4, BOUTIQUE),
    Hotel("saint-germain", "Hôtel Rive Gauche", "左岸酒店", 4, HERITAGE),
    Hotel("paris", "Hôtel Lumière Opéra", "歌剧院光影酒店", 5, LUXURY),
    # Honolulu
    Hotel("waikiki", "Waikiki Shoreline Resort", "威基基海岸度假酒店", 4, RESORT),
    Hotel("waikiki", "Diamond Head Surf Hotel", "钻石头冲浪酒店", 3, BOUTIQUE),
    Hotel("honolulu", "Ala Moana Palms Hotel", "阿拉莫阿纳棕榈酒店", 5, LUXURY),
)


@dataclass(frozen=True)
class RoomKind:
    code: str
    name_en: str
    name_zh: str
    max_adults: int
    max_children: int
    max_occupancy: int
    bed_en: str
    bed_zh: str
    size_sqm: int
    price_factor: str  # times the hotel's standard-room price
    rooms: tuple[int, int]  # how many such rooms a hotel has (low, high)


ROOM_KINDS: dict[str, RoomKind] = {
    room.code: room
    for room in (
        RoomKind(
            "std",
            "Standard Double Room",
            "标准大床房",
            2,
            1,
            3,
            "1 double bed",
            "1张双人床",
            22,
            "1.00",
            (8, 30),
        ),
        RoomKind(
            "twn",
            "Standard Twin Room",
            "标准双床房",
            2,
            1,
            3,
            "2 single beds",
            "2张单人床",
            24,
            "1.00",
            (6, 24),
        ),
        RoomKind(
            "dlx",
            "Deluxe King Room",
            "豪华大床房",
            2,
            1,
            3,
            "1 king bed",
            "1张特大床",
            32,
            "1.35",
            (4, 16),
        ),
        RoomKind(
            "fam",
            "Family Room",
            "家庭房",
            3,
            2,
            4,
            "1 king bed and 1 single bed",
            "1张特大床和1张单人床",
            40,
            "1.60",
            (2, 8),
        ),
        RoomKind(
            "ste",
            "Suite",
            "套房",
            2,
            2,
            4,
            "1 king bed and a sofa bed",
            "1张特大床和1张沙发床",
            62,
            "2.40",
            (1, 4),
        ),
        RoomKind(
            "was",
            "Japanese-style Room",
            "和室",
            3,
            1,
            4,
            "futon bedding on tatami",
            "榻榻米日式床铺",
            30,
            "1.50",
            (3, 10),
        ),
    )
}

# Which room types a hotel of each style may have; the first two are always present.
ROOMS_BY_STYLE: dict[str, tuple[str, ...]] = {
    HERITAGE: ("std", "dlx", "twn", "ste"),
    LUXURY: ("dlx", "twn", "ste", "fam"),
    RESORT: ("dlx", "fam", "twn", "ste"),
    BUSINESS: ("std", "twn", "dlx", "ste"),
    BOUTIQUE: ("std", "dlx", "ste"),
    BUDGET: ("std", "twn", "fam"),
    RYOKAN: ("was", "dlx", "ste", "fam"),
    FAMILY: ("std", "fam", "twn", "dlx"),
}

# Standard-room price for two at base occupancy, in major units (low, high).
NIGHTLY_PRICE: dict[str, dict[int, tuple[int, int]]] = {
    "CNY": {2: (218, 328), 3: (328, 528), 4: (588, 988), 5: (1180, 2280)},
    "JPY": {2: (6800, 9800), 3: (12000, 18800), 4: (22000, 36000), 5: (48000, 88000)},
    "THB": {2: (900, 1400), 3: (1800, 2800), 4: (3200, 5400), 5: (7500, 14000)},
    "EUR": {2: (120, 160), 3: (170, 240), 4: (260, 390), 5: (520, 920)},
    "USD": {2: (140, 180), 3: (190, 270), 4: (300, 430), 5: (480, 760)},
}

AMENITIES_BY_STYLE: dict[str, tuple[str, ...]] = {
    LUXURY: (
        "wifi",
        "pool",
        "gym",
        "spa",
        "parking",
        "breakfast",
        "airport-shuttle",
        "restaurant",
        "bar",
        "air-conditioning",
        "non-smoking",
        "accessible",
    ),
    RESORT: (
        "wifi",
        "pool",
        "spa",
        "parking",
        "breakfast",
        "restaurant",
        "bar",
        "family-rooms",
        "air-conditioning",
        "non-smoking",
    ),
    BUSINESS: (
        "wifi",
        "gym",
        "breakfast",
        "restaurant",
        "air-conditioning",
        "non-smoking",
        "accessible",
    ),
    HERITAGE: ("wifi", "breakfast", "restaurant", "air-conditioning", "non-smoking"),
    BOUTIQUE: ("wifi", "breakfast", "bar", "air-conditioning", "non-smoking"),
    BUDGET: ("wifi", "breakfast", "air-conditioning", "non-smoking"),
    RYOKAN: ("wifi", "breakfast", "restaurant", "spa", "non-smoking", "family-rooms"),
    FAMILY: (
        "wifi",
        "pool",
        "breakfast",
        "family-rooms",
        "parking",
        "restaurant",
        "air-conditioning",
        "accessible",
    ),
}
EXTRA_AMENITIES = ("parking", "pet-friendly", "ev-charging", "airport-shuttle", "gym", "bar")

# Opening sentences by style, two of each; ``{name}`` and ``{place}`` are filled in.
STYLE_LINES: dict[str, tuple[tuple[str, str], ...]] = {
    HERITAGE: (
        (
            "{name} is a restored courtyard property in {place}, where carved wooden doors and "
            "quiet inner gardens set the tone.",
            "{name}是一座位于{place}的修缮庭院式酒店，雕花木门与静谧的内院营造出悠然氛围。",
        ),
        (
            "Set in a historic building in {place}, {name} pairs period architecture with "
            "modern comforts.",
            "{name}坐落于{place}的一座历史建筑中，将传统建筑风貌与现代舒适融为一体。",
        ),
    ),
    LUXURY: (
        (
            "{name} is one of the most polished addresses in {place}, with generous rooms, a "
            "team of concierges and fine dining under one roof.",
            "{name}是{place}最精致的酒店之一，客房宽敞，礼宾团队周到，餐饮出众。",
        ),
        (
            "From the marble lobby to the rooftop bar, {name} sets the standard for a stay in "
            "{place}.",
            "从大理石大堂到屋顶酒吧，{name}为{place}的住宿树立了标杆。",
        ),
    ),
    RESORT: (
        (
            "{name} spreads across landscaped grounds in {place}, made for slow days by the "
            "pool and long dinners outdoors.",
            "{name}坐落于{place}，园林环绕，适合在泳池边慢度时光、在户外享用晚餐。",
        ),
        (
            "Low buildings and gardens give {name} the feel of a retreat, even though the "
            "sights of {place} are close at hand.",
            "{name}以低层建筑与花园营造出世外桃源般的氛围，而{place}的景点近在咫尺。",
        ),
    ),
    BUSINESS: (
        (
            "{name} is a practical base in {place} for travellers on a schedule, with fast "
            "Wi-Fi, a 24-hour front desk and quick transport links.",
            "{name}是在{place}出行的实用之选，提供高速无线网络、24小时前台和便捷交通。",
        ),
        (
            "Meeting rooms, an early breakfast and quiet, well-lit desks make {name} a "
            "favourite with business travellers in {place}.",
            "会议室、早间早餐和安静明亮的书桌，使{name}成为{place}商务旅客的首选。",
        ),
    ),
    BOUTIQUE: (
        (
            "{name} is a small design-led hotel in {place} with individually styled rooms and "
            "a relaxed, personal welcome.",
            "{name}是{place}一家注重设计的小型精品酒店，每间客房风格各异，服务亲切随意。",
        ),
        (
            "With only a handful of rooms, {name} feels more like a friend's house in {place} "
            "than a hotel.",
            "{name}只有为数不多的客房，与其说是酒店，不如说更像是朋友在{place}的家。",
        ),
    ),
    BUDGET: (
        (
            "{name} offers clean, simple rooms in {place} at a fair price, ideal for travellers "
            "who spend their days out exploring.",
            "{name}位于{place}，以实惠的价格提供干净简洁的客房，适合白天外出游览的旅客。",
        ),
        (
            "{name} keeps things simple in {place}: comfortable beds, hot showers and friendly "
            "staff who know the neighbourhood.",
            "{name}在{place}提供简单实在的住宿：舒适的床铺、热水淋浴和熟悉街区的友善员工。",
        ),
    ),
    RYOKAN: (
        (
            "{name} is a traditional Japanese inn in {place}, with tatami rooms, seasonal "
            "kaiseki dinners and a hot-spring bath.",
            "{name}是{place}的一家传统日式旅馆，设有榻榻米客房、时令怀石料理和温泉浴池。",
        ),
        (
            "Guests at {name} change into yukata, dine on local produce and sleep on futons "
            "laid out each evening, in the heart of {place}.",
            "在位于{place}中心的{name}，客人换上浴衣、品尝当地食材，每晚在铺好的被褥上安睡。",
        ),
    ),
    FAMILY: (
        (
            "{name} is built around families visiting {place}, with connecting rooms, a "
            "children's play area and a generous breakfast buffet.",
            "{name}专为来{place}游玩的家庭打造，设有连通房、儿童游乐区和丰盛的自助早餐。",
        ),
        (
            "Cots, high chairs and a supervised kids' club make {name} an easy choice for "
            "families in {place}.",
            "婴儿床、儿童餐椅和有人看护的儿童俱乐部，让{name}成为家庭游{place}的轻松之选。",
        ),
    ),
}

# The closing sentence about rooms and facilities, and the facilities it may name.
ROOMS_LINE = (
    "Rooms range from {smallest} to {largest} square metres, and the hotel also offers {a} "
    "and {b}.",
    "客房面积{smallest}至{largest}平方米，酒店还设有{a}和{b}。",
)
ROOMS_LINE_PLAIN = (
    "Rooms range from {smallest} to {largest} square metres, all with free Wi-Fi and air "
    "conditioning.",
    "客房面积{smallest}至{largest}平方米，均配备免费无线网络和空调。",
)
FACILITY_PHRASES: dict[str, tuple[str, str]] = {
    "pool": ("an outdoor pool", "室外泳池"),
    "gym": ("a fitness centre", "健身中心"),
    "spa": ("a spa", "水疗中心"),
    "parking": ("on-site parking", "停车场"),
    "breakfast": ("a breakfast room", "早餐厅"),
    "airport-shuttle": ("an airport shuttle", "机场班车"),
    "family-rooms": ("family rooms", "家庭房"),
    "restaurant": ("a restaurant serving local dishes", "供应地方菜的餐厅"),
    "bar": ("a bar", "酒吧"),
    "accessible": ("step-free accessible rooms", "无障碍客房"),
    "ev-charging": ("EV charging points", "电动汽车充电桩"),
}

# Hotel policies: check-in times, then children, pets and identification.
CHECK_TIMES = ("Check-in from 14:00, check-out by 12:00.", "入住时间14:00以后，退房时间12:00以前。")
CHILDREN_LINE = (
    "Children under 6 stay free when using existing beds.",
    "6岁以下儿童使用现有床铺可免费入住。",
)
PETS_WELCOME = ("Pets up to 10 kg are welcome on request.", "可携带10公斤以下的宠物，需提前告知。")
PETS_REFUSED = ("Pets are not allowed.", "不可携带宠物。")
IDENTITY_LINES: dict[str, tuple[str, str]] = {
    "cn": (
        "Every guest must show a valid ID card or passport at check-in.",
        "所有住客入住时须出示有效身份证或护照。",
    ),
    "jp": (
        "Guests without a Japanese address must show a passport at check-in, as Japanese "
        "law requires.",
        "根据日本法律，无日本住址的住客入住时须出示护照。",
    ),
    "default": (
        "A credit card or cash deposit is requested at check-in.",
        "入住时需以信用卡或现金支付押金。",
    ),
}
