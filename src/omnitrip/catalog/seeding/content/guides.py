"""Travel guides of the demo cities, as a destination office would write them (en, zh).

Paragraphs are separated by a blank line; the destination page shows each as a paragraph.
"""

from __future__ import annotations

GUIDES: dict[str, tuple[str, str]] = {
    "kunming": (
        "Kunming sits at almost 1,900 metres, so the sun is strong and the evenings cool in "
        "every season. Spend a morning at Green Lake Park, where locals dance and feed the "
        "black-headed gulls that winter here from November to March.\n\n"
        "Metro line 1 runs from the airport to the centre; taxis are cheap and plentiful. "
        "The Stone Forest and the Dianchi lakeshore are easy day trips, and fast trains "
        "reach Dali and Lijiang in two to three hours.",
        "昆明海拔近1900米，四季阳光充足、早晚凉爽。不妨在翠湖公园度过一个上午，"
        "看当地人跳舞，每年11月至次年3月还可以喂食来此越冬的红嘴鸥。\n\n"
        "地铁1号线连接机场与市中心，出租车便宜且容易打到。石林和滇池沿岸适合一日游，"
        "乘动车两到三小时即可到达大理和丽江。",
    ),
    "lijiang": (
        "Lijiang's old town is a maze of canals and cobbled lanes built by the Naxi people; "
        "go early in the morning, before the tour groups, and climb to Lion Hill for the "
        "view over the tiled roofs.\n\n"
        "Jade Dragon Snow Mountain rises above the valley; the glacier cable car climbs to "
        "4,500 metres, so take it slowly and carry water. Shuhe, a quieter old town, is a "
        "short ride north.",
        "丽江古城由纳西族修建，水渠纵横、石板路曲折。建议清晨在旅行团到来之前游览，"
        "登上狮子山俯瞰连绵的青瓦屋顶。\n\n"
        "玉龙雪山耸立在坝子之上，冰川索道可达海拔4500米，请放慢脚步并随身带水。"
        "更为安静的束河古镇就在北边不远处。",
    ),
    "dali": (
        "Dali lies between the Cangshan mountains and Erhai Lake. Rent a bicycle or an "
        "electric scooter and ride the lakeshore road through Bai villages such as Xizhou, "
        "known for its baba flatbread.\n\n"
        "The ancient town's walls and gates are best at dusk; the Three Pagodas of Chongsheng "
        "Temple are a short ride north.",
        "大理坐落在苍山与洱海之间。租一辆自行车或电动车，沿环海路穿过喜洲等白族村落，"
        "别忘了尝尝喜洲粑粑。\n\n"
        "古城的城墙和城门在黄昏时最美；崇圣寺三塔就在古城以北不远处。",
    ),
    "beijing-city": (
        "Book the Palace Museum ahead: tickets are released seven days in advance, a passport "
        "or ID card is needed, and the museum is closed on Mondays. Around it, the hutong "
        "lanes of Houhai and Nanluoguxiang are best explored on foot or by bicycle.\n\n"
        "The subway reaches almost everything, including the airport express. For the Great "
        "Wall, Mutianyu is greener and less crowded than Badaling.",
        "故宫需提前预约：门票提前七天开放预订，需凭护照或身份证入园，周一闭馆。"
        "周边后海和南锣鼓巷一带的胡同最适合步行或骑车探访。\n\n"
        "地铁几乎可以到达所有地方，包括机场快线。游览长城，慕田峪比八达岭更绿、人更少。",
    ),
    "shanghai-city": (
        "Walk the Bund at night, when the old banks are lit and Lujiazui's towers glow across "
        "the Huangpu river; the ferry between the two banks costs a couple of yuan.\n\n"
        "The plane-tree avenues of the former French Concession are made for a slow "
        "afternoon. Maglev and metro line 2 link Pudong airport to the city, and high-speed "
        "trains reach Hangzhou in under an hour.",
        "夜晚漫步外滩，老建筑灯火通明，黄浦江对岸的陆家嘴高楼熠熠生辉；往返两岸的轮渡只需几元。\n\n"
        "原法租界的梧桐大道适合悠闲地度过一个下午。磁悬浮和地铁2号线连接浦东机场与市区，"
        "乘高铁不到一小时即可到达杭州。",
    ),
    "hangzhou": (
        "West Lake is ringed by a 15-kilometre path; walk or cycle the Su and Bai causeways "
        "and take a boat to the Three Pools Mirroring the Moon.\n\n"
        "In spring, visit the tea villages of Longjing in the hills west of the lake, where "
        "farmers roast the leaves by hand.",
        "西湖环湖步道长约15公里，可步行或骑车游览苏堤和白堤，再乘船前往三潭印月。\n\n"
        "春天可以去西湖西边山中的龙井茶村，看茶农手工炒茶。",
    ),
    "chengdu": (
        "Arrive early at the Giant Panda Breeding Research Base: the pandas are most active "
        "before ten in the morning. Afterwards, sip jasmine tea in People's Park and stroll "
        "the Kuanzhai Alleys.\n\n"
        "Sichuan food is famously numbing and hot; ask for 'wei la' (mild) if you prefer.",
        "清晨早些前往大熊猫繁育研究基地，上午十点前大熊猫最为活跃。随后在人民公园喝一杯"
        "茉莉花茶，再去宽窄巷子逛逛。\n\n"
        "川菜以麻辣著称，如果怕辣可以点“微辣”。",
    ),
    "guilin": (
        "The Li River cruise from Guilin to Yangshuo passes the karst peaks printed on the "
        "20-yuan note; in Yangshuo, rent a bicycle and ride along the Yulong River.\n\n"
        "The Reed Flute Cave and Elephant Trunk Hill are in Guilin itself and need half a "
        "day together.",
        "从桂林到阳朔的漓江游船途经印在20元人民币上的喀斯特山峰；到了阳朔，可以租辆自行车"
        "沿遇龙河骑行。\n\n"
        "芦笛岩和象鼻山都在桂林市区，合起来半天即可游完。",
    ),
    "kyoto": (
        "Kyoto rewards early starts: Fushimi Inari's gates and the Arashiyama bamboo grove are "
        "calm before eight. Buy an IC card for buses and trains.\n\n"
        "In Gion, the streets around Hanamikoji are private lanes in places — photograph "
        "politely and never stop a geiko or maiko.",
        "京都适合早起出行：伏见稻荷的千本鸟居和岚山竹林在早上八点前十分安静。"
        "建议购买一张IC卡乘坐公交和电车。\n\n"
        "祇园花见小路一带部分街巷为私人道路，请礼貌拍照，切勿拦住艺伎或舞伎。",
    ),
    "tokyo-city": (
        "Tokyo is many cities in one: Asakusa's Senso-ji temple at dawn, Shinjuku's lights at "
        "night. An IC card covers metro, trains and convenience stores.\n\n"
        "On a clear day, Mount Fuji is visible from the observation decks; a day trip to "
        "Hakone combines the mountain with hot springs.",
        "东京是许多城市的集合：清晨的浅草寺，夜晚的新宿灯火。一张IC卡即可乘坐地铁、电车，"
        "也能在便利店付款。\n\n"
        "天气晴朗时，可以从观景台远眺富士山；箱根一日游能同时欣赏富士山和温泉。",
    ),
    "chiang-mai": (
        "Chiang Mai's old city, inside its moat, holds more than thirty temples; Wat Phra "
        "Singh and Wat Chedi Luang are a short walk apart. Dress modestly: shoulders and knees "
        "covered.\n\n"
        "The Sunday walking street market fills Ratchadamnoen Road; Nimman, to the west, is "
        "the district of cafés and galleries.",
        "清迈古城被护城河环绕，城内有三十多座寺庙，帕辛寺和契迪龙寺步行即可往返。"
        "参观寺庙请着装得体，遮住肩膀和膝盖。\n\n"
        "周日夜市铺满拉差当暖路；古城西边的宁曼路一带则是咖啡馆和画廊聚集的街区。",
    ),
    "paris": (
        "Reserve timed tickets for the Louvre and the Eiffel Tower; many museums are free on "
        "the first Sunday of the month. The metro is the quickest way around.\n\n"
        "Le Marais and Saint-Germain are best on foot: bakeries, small museums and squares "
        "such as the Place des Vosges.",
        "卢浮宫和埃菲尔铁塔需预约分时段门票；许多博物馆每月第一个星期日免费开放。"
        "地铁是在巴黎出行最快的方式。\n\n"
        "玛黑区和圣日耳曼区最适合步行游览：面包店、小型博物馆以及孚日广场等广场。",
    ),
    "honolulu": (
        "Waikiki's beach is calmest in the morning; hike Diamond Head early for the view "
        "before the heat. Reservations are required for non-residents.\n\n"
        "Pearl Harbor's USS Arizona Memorial is free but tickets run out; book them online "
        "ahead. TheBus covers the whole island.",
        "威基基海滩早上最平静；清晨登上钻石头山，可以在炎热之前欣赏美景，非本地居民需提前预约。\n\n"
        "珍珠港亚利桑那号纪念馆免费参观，但门票有限，请提前在网上预订。公交车TheBus覆盖全岛。",
    ),
}
