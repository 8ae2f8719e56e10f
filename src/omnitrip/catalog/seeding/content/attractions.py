"""Thirty demo attractions with adult and child tickets, some of them open-dated."""

from __future__ import annotations

from dataclasses import dataclass

from omnitrip.catalog.seeding.content.tours import MON


@dataclass(frozen=True)
class Attraction:
    destination: str
    supplier: str
    title_en: str
    title_zh: str
    adult: int | str  # major units
    child: int | str
    capacity: int  # adult tickets per day, or an open-dated ticket's whole quota
    description_en: str
    description_zh: str
    validity_days: int | None = None  # set: an open-dated ticket valid this many days
    closed_weekday: int | None = None  # a weekly closing day (slots exist but are closed)


CN_TICKETS, JP_TICKETS = "jiuzhou-scenic-tickets", "nippon-sights"

ATTRACTIONS: tuple[Attraction, ...] = (
    # Kunming
    Attraction(
        "kunming",
        CN_TICKETS,
        "Stone Forest Scenic Area",
        "石林风景区",
        130,
        65,
        3000,
        "The Stone Forest is a maze of grey limestone pinnacles some 80 km south-east of "
        "Kunming, shaped by water over millions of years. Paths lead through the Greater "
        "and Lesser Stone Forest, and electric carts link the main sights.",
        "石林位于昆明东南约80公里处，是流水历经数百万年雕琢而成的灰岩石峰迷宫。"
        "步道贯穿大石林与小石林，电瓶车连接各主要景点。",
    ),
    Attraction(
        "dianchi",
        CN_TICKETS,
        "Yunnan Ethnic Village",
        "云南民族村",
        90,
        45,
        20000,
        "Traditional houses of Yunnan's many ethnic groups stand side by side in this "
        "village on the shore of Dianchi Lake. Dance performances run through the day, "
        "and craftspeople demonstrate batik, silverwork and embroidery.",
        "这座位于滇池之畔的民族村汇集了云南各少数民族的传统民居。"
        "全天有歌舞表演，手艺人现场展示扎染、银器制作与刺绣。",
        validity_days=90,
    ),
    Attraction(
        "dianchi",
        CN_TICKETS,
        "Western Hills and Dragon Gate",
        "西山龙门",
        40,
        20,
        15000,
        "Cliff paths and grottoes carved by Taoist monks climb to the Dragon Gate, high "
        "above Dianchi Lake. Take the cable car up and walk down for the best views over "
        "the water and the city.",
        "道士开凿的崖壁栈道与石窟一路攀升至高悬于滇池之上的龙门。建议乘索道上山、步行下山，饱览湖光与城景。",
        validity_days=180,
    ),
    # Lijiang
    Attraction(
        "lijiang",
        CN_TICKETS,
        "Jade Dragon Snow Mountain Glacier Cable Car",
        "玉龙雪山冰川公园大索道",
        280,
        140,
        800,
        "The cable car climbs to a boardwalk at more than 4,500 metres on the flank of "
        "Jade Dragon Snow Mountain. Tickets are limited each day, so book ahead in the "
        "holiday seasons.",
        "大索道直达玉龙雪山海拔4500多米处的栈道。门票每日限量发售，节假日务必提前预订。",
    ),
    Attraction(
        "lijiang",
        CN_TICKETS,
        "Impression Lijiang Show",
        "印象丽江演出",
        190,
        95,
        2000,
        "Staged in an open-air theatre beneath the snow peaks, this show brings together "
        "hundreds of local performers from the region's ethnic groups. Performances are "
        "in the early afternoon, so bring sun protection and a warm layer.",
        "演出在雪山脚下的露天剧场上演，数百名来自当地各民族的演员同台。"
        "演出在午后进行，请携带防晒用品和保暖衣物。",
    ),
    Attraction(
        "lijiang-old-town",
        CN_TICKETS,
        "Mu Family Mansion",
        "丽江古城木府",
        40,
        20,
        30000,
        "The former residence of the Mu family, hereditary rulers of Lijiang, rises in "
        "terraces at the foot of Lion Hill. Its halls, gardens and library show how Naxi "
        "and Han building traditions came together.",
        "木府是世袭丽江土司木氏家族的府邸，依狮子山层层而建。其殿堂、园林与藏书楼展现了纳西族与汉族建筑传统的交融。",
        validity_days=30,
    ),
    # Dali
    Attraction(
        "dali",
        CN_TICKETS,
        "Three Pagodas of Chongsheng Temple",
        "崇圣寺三塔",
        75,
        38,
        2500,
        "Three white pagodas stand in front of the Cangshan mountains, the tallest dating "
        "from the Nanzhao kingdom more than a thousand years ago. Their reflection in the "
        "pond by the entrance is one of the best-known views in Yunnan.",
        "三座白塔矗立于苍山之前，其中最高的主塔建于一千多年前的南诏国时期。入口处水池中的三塔倒影是云南最著名的景致之一。",
    ),
    Attraction(
        "shuanglang",
        CN_TICKETS,
        "Erhai Lake Cruise",
        "洱海游船",
        150,
        75,
        800,
        "A three-hour cruise on Erhai Lake stops at two islands, with a Bai three-course "
        "tea ceremony on board. Upper-deck seats give the clearest view of the Cangshan "
        "peaks.",
        "洱海游船航程约三小时，停靠两座小岛，船上可体验白族三道茶。上层甲板座位可饱览苍山诸峰。",
    ),
    # Beijing
    Attraction(
        "wangfujing",
        CN_TICKETS,
        "Palace Museum (Forbidden City)",
        "故宫博物院",
        60,
        30,
        3000,
        "The Forbidden City was home to twenty-four emperors of the Ming and Qing "
        "dynasties and now holds the collections of the Palace Museum. Entry is by "
        "real-name ticket booked in advance, and the museum is closed on Mondays.",
        "紫禁城曾是明清两代二十四位皇帝的居所，如今为故宫博物院馆藏所在。实行实名预约入场，周一闭馆。",
        closed_weekday=MON,
    ),
    Attraction(
        "beijing-city",
        CN_TICKETS,
        "Temple of Heaven",
        "天坛公园",
        34,
        17,
        30000,
        "Emperors came to the Temple of Heaven to pray for good harvests, and its "
        "blue-roofed Hall of Prayer is one of the finest timber buildings in China. The "
        "combined ticket covers the park and the main halls; mornings bring tai chi and "
        "choirs under the cypresses.",
        "古代帝王在天坛祈求五谷丰登，蓝色琉璃瓦的祈年殿是中国最精美的木结构建筑之一。"
        "联票包含公园及主要殿宇，清晨柏树下可见太极拳与合唱团。",
        validity_days=30,
    ),
    Attraction(
        "beijing-city",
        CN_TICKETS,
        "Summer Palace",
        "颐和园",
        60,
        30,
        3000,
        "Lakes, pavilions and the long painted corridor make the Summer Palace the "
        "largest imperial garden in Beijing. Boats cross Kunming Lake to the "
        "Seventeen-Arch Bridge in summer, and the lake freezes for skating in winter.",
        "湖泊、亭台与彩绘长廊使颐和园成为北京最大的皇家园林。夏季可乘船横渡昆明湖前往十七孔桥，冬季湖面结冰可滑冰。",
    ),
    # Shanghai
    Attraction(
        "lujiazui",
        CN_TICKETS,
        "Shanghai Tower Observation Deck",
        "上海中心观光厅",
        180,
        90,
        2000,
        "High-speed lifts reach the observation deck near the top of China's tallest "
        "building in about a minute. On a clear day the view stretches over the Huangpu "
        "River and the Bund to the mouth of the Yangtze.",
        "高速电梯约一分钟即可抵达中国最高建筑顶部附近的观光厅。天气晴朗时，可远眺黄浦江、外滩直至长江口。",
    ),
    Attraction(
        "the-bund",
        CN_TICKETS,
        "Huangpu River Night Cruise",
        "黄浦江夜游",
        150,
        75,
        1200,
        "Boats leave after dark for a loop of about fifty minutes between the lit "
        "facades of the Bund and the towers of Lujiazui. Upper-deck window seats are "
        "allocated at boarding.",
        "夜幕降临后，游船在灯火辉煌的外滩建筑群与陆家嘴高楼之间巡游约五十分钟。上层靠窗座位登船时分配。",
    ),
    # Hangzhou
    Attraction(
        "west-lake",
        CN_TICKETS,
        "Lingyin Temple and Feilai Feng",
        "灵隐寺与飞来峰",
        75,
        38,
        3000,
        "Hundreds of Buddhist carvings line the limestone caves of Feilai Feng, across "
        "the stream from one of the oldest temples in China. This ticket covers the "
        "Feilai Feng scenic area and Lingyin Temple.",
        "飞来峰的石灰岩洞窟中有数百尊佛教造像，与中国历史最悠久的寺院之一灵隐寺隔溪相望。本门票包含飞来峰景区及灵隐寺。",
    ),
    Attraction(
        "hangzhou",
        CN_TICKETS,
        "Xixi National Wetland Park",
        "西溪国家湿地公园",
        80,
        40,
        20000,
        "Xixi is a maze of ponds, reed beds and fish farms on the western edge of "
        "Hangzhou, best explored by electric boat. Persimmon trees and old farmhouses "
        "line the waterways, and herons nest here in spring.",
        "西溪位于杭州城西，由池塘、芦苇荡和鱼塘交织而成，最宜乘电瓶船游览。水道两旁柿树与老农舍错落，春季有鹭鸟在此筑巢。",
        validity_days=180,
    ),
    # Chengdu
    Attraction(
        "chengdu",
        CN_TICKETS,
        "Chengdu Giant Panda Breeding Base",
        "成都大熊猫繁育研究基地",
        55,
        28,
        4000,
        "Giant pandas and red pandas live in bamboo-shaded enclosures at the research "
        "base north of the city. Arrive around opening time, when the pandas are fed and "
        "most active.",
        "位于成都北郊的研究基地内，大熊猫和小熊猫生活在竹林掩映的园区中。建议开园时入园，此时正值喂食，熊猫最为活跃。",
    ),
    Attraction(
        "kuanzhai-alley",
        CN_TICKETS,
        "Sichuan Opera Face-Changing Show",
        "川剧变脸演出",
        180,
        90,
        300,
        "An evening of Sichuan opera highlights in a teahouse theatre: face-changing, "
        "fire-breathing, shadow puppets and a comic opera scene. Tea and snacks are "
        "served at the table during the ninety-minute show.",
        "在茶馆剧场欣赏川剧精华：变脸、吐火、皮影戏与川剧折子戏。约九十分钟的演出期间，桌边提供茶水与小吃。",
    ),
    Attraction(
        "chengdu",
        CN_TICKETS,
        "Dujiangyan Irrigation System",
        "都江堰景区",
        80,
        40,
        30000,
        "Built in the third century BC, Dujiangyan still divides the Min River to water "
        "the Chengdu plain without a dam. A rope bridge, Taoist temples and riverside "
        "gardens make it a full day out from Chengdu.",
        "都江堰始建于公元前三世纪，至今仍在不筑大坝的情况下分流岷江、灌溉成都平原。索桥、道观与江畔园林足够在此游玩一整天。",
        validity_days=90,
    ),
    # Guilin
    Attraction(
        "guilin",
        CN_TICKETS,
        "Reed Flute Cave",
        "芦笛岩",
        90,
        45,
        2500,
        "A walkway of about five hundred metres winds through chambers of stalactites "
        "and stone curtains lit in changing colours. Inscriptions left by visitors more "
        "than a thousand years ago can still be read on the walls.",
        "约五百米长的步道蜿蜒穿过钟乳石与石幔组成的洞厅，灯光变幻多彩。洞壁上仍可辨认一千多年前游人留下的题刻。",
    ),
    Attraction(
        "guilin",
        CN_TICKETS,
        "Elephant Trunk Hill",
        "象鼻山",
        55,
        28,
        3000,
        "The hill that became Guilin's emblem looks like an elephant drinking from the "
        "Li River, with a round arch of water between trunk and body. Bamboo rafts pass "
        "beneath the arch, and the riverside park is lit in the evening.",
        "象鼻山形似一头在漓江边饮水的大象，象鼻与象身之间形成圆形的水月洞，是桂林的城徽。"
        "竹筏从洞下穿过，江畔公园夜间亮灯。",
    ),
    # Kyoto
    Attraction(
        "gion",
        JP_TICKETS,
        "Kiyomizu-dera Temple",
        "清水寺",
        500,
        200,
        4000,
        "Kiyomizu-dera's wooden stage juts out from the hillside on a frame of tall "
        "pillars joined without nails. Cherry blossom in spring and maple leaves in "
        "autumn bring special evening openings.",
        "清水寺的木质舞台由不用一根钉子的高大立柱支撑，凌空伸出山崖。春樱秋枫时节会举办夜间特别参拜。",
    ),
    Attraction(
        "kyoto",
        JP_TICKETS,
        "Nijo Castle",
        "二条城",
        1300,
        400,
        3000,
        "Built for the first Tokugawa shogun, Nijo Castle is known for floors that chirp "
        "underfoot like nightingales to warn of intruders. The palace keeps its painted "
        "sliding doors, and the gardens bloom with early and late cherries.",
        "二条城为德川幕府首任将军所建，以踩上去会发出鸟鸣般声响、用于警示入侵者的“莺声地板”闻名。"
        "御殿保留着彩绘隔扇，庭园中早樱与晚樱相继开放。",
    ),
    Attraction(
        "kyoto",
        JP_TICKETS,
        "Kinkaku-ji (Golden Pavilion)",
        "金阁寺",
        500,
        300,
        40000,
        "The upper two floors of this Zen temple hall are covered in gold leaf and "
        "reflected in the Mirror Pond. The path circles the pond and ends at a small "
        "tea garden.",
        "这座禅寺舍利殿的上两层贴满金箔，倒映在镜湖池中。游览步道绕池一周，终点是一处小茶园。",
        validity_days=30,
    ),
    # Tokyo
    Attraction(
        "asakusa",
        JP_TICKETS,
        "Tokyo Skytree Tembo Deck",
        "东京晴空塔天望甲板",
        2100,
        950,
        3000,
        "At 350 metres, the Tembo Deck looks over the whole of Tokyo and, on clear winter "
        "mornings, all the way to Mount Fuji. A dated ticket fixes the day of the visit "
        "and is valid at any time that day.",
        "天望甲板高350米，可俯瞰整个东京，冬季晴朗的清晨还能远眺富士山。日期票指定参观日期，当天任意时段有效。",
    ),
    Attraction(
        "tokyo-city",
        JP_TICKETS,
        "Tokyo National Museum",
        "东京国立博物馆",
        1000,
        500,
        30000,
        "Japan's oldest museum holds samurai armour, Buddhist sculpture, ukiyo-e prints "
        "and national treasures in several buildings in Ueno Park. Allow at least half a "
        "day; the main gallery alone fills two floors.",
        "日本历史最悠久的博物馆，在上野公园的多座展馆中收藏武士盔甲、佛教雕塑、浮世绘与国宝。"
        "建议至少预留半天，仅本馆就有两层展厅。",
        validity_days=90,
    ),
    # Chiang Mai
    Attraction(
        "chiang-mai",
        "lanna-experiences",
        "Wat Phra That Doi Suthep",
        "素贴山双龙寺",
        50,
        30,
        3000,
        "A staircase of 306 steps flanked by naga serpents leads to the golden chedi of "
        "Doi Suthep, the temple that watches over Chiang Mai. The ticket includes the "
        "funicular for those who would rather not climb.",
        "两侧饰有那伽神蛇的306级台阶通往素贴山的金色佛塔，这座寺庙俯瞰着整个清迈。门票含缆车，不想爬台阶的游客可乘缆车上山。",
    ),
    Attraction(
        "chiang-mai",
        "lanna-experiences",
        "Chiang Mai Night Safari",
        "清迈夜间动物园",
        800,
        400,
        1500,
        "Open-sided trams carry visitors through savannah and predator zones after dark, "
        "and a walking trail loops around the lake. A music-and-fountain show on the lake "
        "closes each evening.",
        "夜幕降临后，敞篷游览车载着游客穿越草原区与猛兽区，湖边还有一条环形步道。每晚以湖上音乐喷泉表演收尾。",
    ),
    # Paris
    Attraction(
        "paris",
        "lutece-excursions",
        "Eiffel Tower Summit by Lift",
        "埃菲尔铁塔登顶电梯票",
        "36.10",
        "9.00",
        2500,
        "Lifts climb through the iron lattice to the second floor and on to the summit "
        "at 276 metres. Entry is by time slot; allow about two hours for the full visit "
        "and the queue for the top lift.",
        "电梯穿过铁塔的钢铁格架抵达二层，再换乘直达276米高的塔顶。按时段入场，完整游览及等候登顶电梯约需两小时。",
    ),
    Attraction(
        "saint-germain",
        "lutece-excursions",
        "Seine River Sightseeing Cruise",
        "塞纳河观光游船",
        17,
        8,
        15000,
        "A one-hour cruise passes Notre-Dame, the Louvre, the Musée d'Orsay and the "
        "Eiffel Tower, with commentary in several languages. The open ticket can be used "
        "on any sailing while it is valid.",
        "一小时的游船途经巴黎圣母院、卢浮宫、奥赛博物馆与埃菲尔铁塔，提供多语种讲解。开放日期票在有效期内任意班次均可使用。",
        validity_days=180,
    ),
    # Honolulu
    Attraction(
        "waikiki",
        "pacific-isle-tours",
        "Waikiki Aquarium",
        "威基基水族馆",
        12,
        5,
        1200,
        "Beside the beach at the Diamond Head end of Waikiki, the aquarium keeps the reef "
        "fish, monk seals and giant clams of the Hawaiian islands. It is small enough to "
        "see in an hour and a good stop for families.",
        "水族馆位于威基基靠钻石头山一端的海滩旁，展示夏威夷群岛的珊瑚鱼、僧海豹和巨型砗磲。规模不大，一小时即可参观完，适合家庭出游。",
    ),
)
