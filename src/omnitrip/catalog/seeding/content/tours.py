"""Twenty demo tours: who runs them, when they depart and what they cost."""

from __future__ import annotations

from dataclasses import dataclass

from omnitrip.catalog.seeding.content.reference import FREE_1D, FREE_7D_TOUR

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
EVERY_DAY_BUT_MONDAY = (TUE, WED, THU, FRI, SAT, SUN)


@dataclass(frozen=True)
class Tour:
    destination: str
    supplier: str
    title_en: str
    title_zh: str
    days: int
    weekdays: tuple[int, ...]  # departure days, Monday = 0
    adult: int  # major units, standard class
    child: int
    description_en: str
    description_zh: str
    # "standard" (up to 40 seats), "small" (up to 12 seats) or both.
    classes: tuple[str, ...] = ("standard", "small")

    @property
    def policy(self) -> str:
        return FREE_7D_TOUR if self.days > 1 else FREE_1D


@dataclass(frozen=True)
class DepartureClass:
    code: str
    name_en: str
    name_zh: str
    seats: tuple[int, int]  # capacity per departure (low, high)
    max_party: int
    price_factor: str


DEPARTURE_CLASSES = {
    "standard": DepartureClass("STD", "Standard group", "标准团", (28, 40), 10, "1.00"),
    "small": DepartureClass(
        "SML", "Small group (max. 12)", "精品小团（最多12人）", (10, 12), 6, "1.45"
    ),
}

TOURS: tuple[Tour, ...] = (
    Tour(
        "kunming",
        "caiyun-travel",
        "Stone Forest and Jiuxiang Caves Day Tour",
        "石林九乡一日游",
        1,
        (MON, WED, FRI, SAT, SUN),
        398,
        298,
        "Walk among the limestone pinnacles of the Stone Forest, a UNESCO World Heritage karst "
        "landscape, then descend into the caverns and underground waterfalls of Jiuxiang. "
        "Lunch features Sani Yi dishes, and pick-up from central Kunming hotels is included.",
        "漫步世界自然遗产石林的石峰之间，随后深入九乡溶洞，观赏地下瀑布与钟乳石。"
        "午餐品尝彝族撒尼风味菜，含昆明市区酒店接送。",
    ),
    Tour(
        "kunming",
        "caiyun-travel",
        "Dongchuan Red Land Photography Tour",
        "东川红土地摄影两日游",
        2,
        (WED, SAT),
        1280,
        980,
        "Two days among the terraced red fields of Dongchuan, timed for sunrise and sunset at "
        "the best viewpoints. A local photographer leads the group, and the night is spent in "
        "a farmhouse guesthouse.",
        "两天时间穿行于东川层层叠叠的红土地，在最佳观景点拍摄日出与日落。"
        "由当地摄影师带队，夜宿农家客栈。",
        classes=("small",),
    ),
    Tour(
        "lijiang",
        "caiyun-travel",
        "Jade Dragon Snow Mountain and Blue Moon Valley Day Tour",
        "玉龙雪山蓝月谷一日游",
        1,
        (MON, TUE, THU, FRI, SAT, SUN),
        680,
        520,
        "Ride the cable car up to the glacier park of Jade Dragon Snow Mountain and stop at the "
        "turquoise pools of Blue Moon Valley on the way down. Oxygen canisters and a down "
        "jacket are provided for the high-altitude section.",
        "乘坐索道前往玉龙雪山冰川公园，下山途中游览碧蓝的蓝月谷。高海拔路段提供氧气瓶和羽绒服。",
    ),
    Tour(
        "lijiang",
        "caiyun-travel",
        "Tiger Leaping Gorge Trek",
        "虎跳峡徒步两日游",
        2,
        (TUE, FRI, SUN),
        880,
        720,
        "Follow the high trail above the Jinsha River through one of the deepest gorges in the "
        "world, with a night at a family-run guesthouse halfway along. Expect about six hours "
        "of walking each day, so a moderate level of fitness is needed.",
        "沿金沙江上方的高路徒步，穿越世界最深的峡谷之一，中途在家庭客栈住宿一晚。"
        "每天约步行六小时，需要中等体能。",
        classes=("small",),
    ),
    Tour(
        "lijiang",
        "caiyun-travel",
        "Lugu Lake Mosuo Culture Tour",
        "泸沽湖摩梭文化两日游",
        2,
        (MON, THU, SAT),
        1180,
        880,
        "Travel to high-altitude Lugu Lake, home of the matrilineal Mosuo people, and cross the "
        "water in a dugout canoe. The evening brings a bonfire gathering in a lakeside village.",
        "前往高原湖泊泸沽湖，走进母系社会摩梭人的家园，乘猪槽船游湖。晚上在湖畔村落参加篝火晚会。",
    ),
    Tour(
        "dali",
        "caiyun-travel",
        "Erhai Lake Cycling and Xizhou Village Day Tour",
        "洱海骑行与喜洲古镇一日游",
        1,
        (WED, FRI, SAT, SUN),
        320,
        240,
        "Cycle the flat eastern shore of Erhai Lake with the Cangshan range across the water, "
        "then explore the Bai merchant houses of Xizhou. Try a freshly baked Xizhou flatbread "
        "before the transfer back.",
        "沿洱海平坦的东岸骑行，隔湖远眺苍山，随后参观喜洲古镇的白族商帮民居。返程前品尝现烤喜洲粑粑。",
        classes=("standard",),
    ),
    Tour(
        "beijing-city",
        "huaxia-tours",
        "Mutianyu Great Wall Day Tour",
        "慕田峪长城一日游",
        1,
        EVERY_DAY_BUT_MONDAY,
        460,
        360,
        "Reach the restored Ming-dynasty ramparts of Mutianyu by cable car and walk a quieter "
        "stretch of the Great Wall at your own pace. Ride the toboggan down if you like; lunch "
        "at a village farmhouse is included.",
        "乘缆车登上修缮后的明代慕田峪长城，按自己的节奏漫步于游客较少的城墙段。"
        "可选择乘滑道下山，含农家午餐。",
    ),
    Tour(
        "houhai",
        "huaxia-tours",
        "Forbidden City and Hutong Rickshaw Day",
        "故宫与胡同人力车一日游",
        1,
        EVERY_DAY_BUT_MONDAY,
        580,
        420,
        "Spend the morning inside the Forbidden City with a licensed guide who brings the "
        "imperial court to life. In the afternoon a rickshaw takes you through the hutong lanes "
        "around Houhai, with tea in a family courtyard.",
        "上午由持证导游带领参观故宫，讲述宫廷往事。下午乘人力车穿行后海周边胡同，并在四合院人家中品茶。",
    ),
    Tour(
        "shanghai-city",
        "huaxia-tours",
        "Zhujiajiao Water Town Day Trip",
        "朱家角水乡一日游",
        1,
        (WED, SAT, SUN),
        298,
        198,
        "Leave the skyline behind for Zhujiajiao, a canal town of stone bridges and Ming and "
        "Qing houses an hour west of Shanghai. A boat ride along the old canals is included, "
        "with free time for the riverside snack stalls.",
        "离开都市天际线，前往上海以西一小时车程的朱家角，石桥与明清老宅错落有致。"
        "含古镇摇橹船游览，并有自由时间品尝河边小吃。",
        classes=("standard",),
    ),
    Tour(
        "west-lake",
        "huaxia-tours",
        "Longjing Tea Villages Walk",
        "龙井茶村徒步一日游",
        1,
        (WED, SAT, SUN),
        360,
        260,
        "Walk the tea terraces between Meijiawu and Longjing village in the hills above West "
        "Lake. A tea farmer shows how leaves are roasted by hand in a wok, and lunch is served "
        "in a village home.",
        "在西湖群山间的梅家坞与龙井村之间徒步穿行茶园。茶农现场演示手工炒茶，午餐在村民家中享用。",
        classes=("small",),
    ),
    Tour(
        "hangzhou",
        "huaxia-tours",
        "Wuzhen and Xitang Water Towns",
        "乌镇西塘两日游",
        2,
        (FRI, SAT),
        980,
        720,
        "Two days in the canal towns of northern Zhejiang: the restored lanes of Wuzhen by "
        "lantern light and the covered walkways of Xitang in the morning mist. The night is "
        "spent in a guesthouse on the water in Wuzhen's western quarter.",
        "两天畅游浙北水乡：夜晚在灯火中漫步修复一新的乌镇街巷，清晨在薄雾中游览西塘廊棚。"
        "夜宿乌镇西栅临水民宿。",
    ),
    Tour(
        "chengdu",
        "huaxia-tours",
        "Giant Pandas and Leshan Buddha Day Tour",
        "熊猫基地与乐山大佛一日游",
        1,
        (MON, WED, FRI, SAT, SUN),
        620,
        460,
        "Arrive early at the Chengdu panda base, when the pandas are most active, then continue "
        "to Leshan to see the 71-metre Giant Buddha carved into the cliff. The Buddha can be "
        "seen from the riverside path or from a boat.",
        "清早抵达成都大熊猫基地，此时大熊猫最为活跃，随后前往乐山参观凿于崖壁上、高71米的乐山大佛。"
        "可沿江边栈道或乘船观赏大佛。",
    ),
    Tour(
        "chengdu",
        "huaxia-tours",
        "Jiuzhaigou Valley Tour",
        "九寨沟三日游",
        3,
        (MON, THU),
        2380,
        1780,
        "Fly from Chengdu to Jiuzhai Huanglong airport and spend a full day among the coloured "
        "lakes and waterfalls of Jiuzhaigou. Two nights in a Tibetan-style hotel and a visit to "
        "the travertine pools of Huanglong are included.",
        "从成都飞往九寨黄龙机场，用一整天时间游览九寨沟的彩池与瀑布。含两晚藏式风格酒店住宿，并游览黄龙钙华池。",
    ),
    Tour(
        "guilin",
        "huaxia-tours",
        "Longji Rice Terraces Day Tour",
        "龙脊梯田一日游",
        1,
        (TUE, THU, SAT, SUN),
        420,
        300,
        "Climb through the Zhuang and Yao villages of Longji to viewpoints over rice terraces "
        "farmed for centuries. Lunch includes bamboo-tube rice cooked over an open fire.",
        "穿过龙脊的壮族、瑶族村寨，登上观景台俯瞰耕作了数百年的梯田。午餐品尝明火烤制的竹筒饭。",
        classes=("standard",),
    ),
    Tour(
        "yangshuo",
        "huaxia-tours",
        "Yangshuo Countryside Cycling and Cooking Class",
        "阳朔田园骑行与厨艺课",
        1,
        (MON, WED, FRI, SAT),
        360,
        260,
        "Cycle quiet lanes along the Yulong River between karst peaks, then shop at a village "
        "market for ingredients. A local cook shows you how to make beer fish and stuffed "
        "vegetables for lunch.",
        "沿遇龙河畔的乡间小路骑行，两旁喀斯特山峰林立，随后在村中集市采购食材。"
        "当地厨师教您烹制啤酒鱼和酿菜作为午餐。",
        classes=("small",),
    ),
    Tour(
        "arashiyama",
        "sakura-day-tours",
        "Arashiyama and Sagano Morning Walk",
        "岚山嵯峨野晨间漫步",
        1,
        (TUE, THU, SAT, SUN),
        9800,
        6800,
        "Beat the crowds with an early start in the Arashiyama bamboo grove, then visit the Zen "
        "garden of Tenryu-ji. The walk continues past the thatched houses of Sagano and ends "
        "with matcha and seasonal sweets.",
        "清晨出发，避开人潮游览岚山竹林，随后参观天龙寺的禅宗庭园。继续漫步嵯峨野的茅草屋民居，以抹茶与时令和果子作结。",
        classes=("small",),
    ),
    Tour(
        "tokyo-city",
        "sakura-day-tours",
        "Mount Fuji and Hakone Day Tour",
        "富士山箱根一日游",
        1,
        (MON, TUE, THU, FRI, SAT, SUN),
        15800,
        11800,
        "Drive to the fifth station of Mount Fuji when the road is open, then cruise Lake Ashi "
        "and ride the Hakone ropeway over the volcanic valley of Owakudani. The coach returns "
        "to Shinjuku in the early evening.",
        "道路开放时前往富士山五合目，随后乘船游览芦之湖，并乘箱根缆车飞越大涌谷火山谷。傍晚乘大巴返回新宿。",
    ),
    Tour(
        "chiang-mai",
        "lanna-experiences",
        "Ethical Elephant Sanctuary Day",
        "大象保护营一日游",
        1,
        (MON, TUE, WED, THU, FRI, SAT),
        2500,
        1500,
        "Spend a day at a sanctuary in the hills outside Chiang Mai where rescued elephants "
        "roam free and riding is not allowed. Help prepare their food, watch them bathe in the "
        "river and share a northern Thai lunch with the mahouts.",
        "在清迈郊外山间的大象保护营度过一天，获救的大象在此自由生活，禁止骑乘。"
        "您可以帮忙准备大象的食物、观看它们在河中洗澡，并与象夫共享泰北风味午餐。",
    ),
    Tour(
        "paris",
        "lutece-excursions",
        "Versailles Palace and Gardens Day Trip",
        "凡尔赛宫及花园一日游",
        1,
        EVERY_DAY_BUT_MONDAY,
        139,
        99,
        "Skip the ticket queue at the Palace of Versailles and tour the Hall of Mirrors and the "
        "royal apartments with an art historian. The afternoon is free for the gardens and the "
        "Trianon estate before the train back to Paris.",
        "免排队进入凡尔赛宫，由艺术史学者讲解镜厅和国王寝宫。下午自由游览花园及特里亚农宫，之后乘火车返回巴黎。",
    ),
    Tour(
        "honolulu",
        "pacific-isle-tours",
        "Oahu Circle Island and North Shore Tour",
        "欧胡岛环岛及北岸一日游",
        1,
        (MON, WED, FRI, SAT),
        149,
        109,
        "Circle Oahu in a day: the Byodo-In temple, the windward beaches, a shrimp-truck lunch "
        "and the big-wave beaches of the North Shore. In winter the guide stops where surfers "
        "ride the swell at Waimea Bay.",
        "一天环游欧胡岛：平等院、迎风面海滩、虾餐车午餐以及北岸的大浪海滩。冬季导游会在威美亚湾停留，观看冲浪者驾驭巨浪。",
    ),
)
