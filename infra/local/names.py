"""Word lists for the demo district: invented people, compounds and villages.

Every name the generator builds is a random combination of these parts, so no record stands
for a real person. Place names (streets, towns) are ordinary Linhe district names.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Common surnames, roughly in order of frequency (the generator weights the head heavily).
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文樊苗牛温乌云包"
)

# Characters for given names; two-character names take one from each of a pair of pools.
GIVEN_FIRST = "建国志文晓海春秋玉丽桂秀红德永国雪宏少嘉俊子雅欣思雨梦佳明振金淑凤"
GIVEN_SECOND = "伟芳娜敏静强磊军洋勇艳杰娟涛明超霞平刚辉华鹏飞宇琳婷玲英兰梅珍荣斌浩然"
GIVEN_SINGLE = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚辉鑫波宁琴蕾健峰亮红斌燕萍"

# Names used in the seed article belong to real people and must never appear in demo data.
FORBIDDEN_NAMES = frozenset({"代利荣", "代利榮"})

DISTRICT = "临河区"
BRANCH_NAME = "临河供电分局"

COMPOUND_PREFIXES = _words(
    "锦绣 金色 阳光 翠林 康乐 幸福 富康 和谐 丽景 万和 河畔 黄河 河套 景泰 鑫源 盛世 御景 "
    "世纪 紫檀 朝阳 兴业 民族 友谊 光明 泰和 春晖 馨悦 绿洲 银河 枫林 桃源 瑞祥 "
    "怡景 东方 西城 北苑 南湖 碧水 宏福 安居 嘉禾 福润 恒泰 汇景 新宇 雅颂 文博 农机 粮贸"
)
COMPOUND_SUFFIXES = _words(
    "小区 花园 家园 华庭 苑 名都 嘉园 新城 雅居 公寓 佳苑 丽都 小区 家属院 小区"
)
ROADS = _words(
    "胜利路 解放路 新华街 团结路 五一街 建设路 光明路 永济路 曙光街 朔方路 "
    "金川大道 汇丰街 临狼路 五原路 长春街 乌兰布和路"
)

VILLAGE_PREFIXES = _words(
    "红旗 胜利 联丰 永丰 东升 新民 丰收 和平 先锋 光荣 前进 建设 五星 友好 长胜 "
    "民主 永红 八一 太阳庙 新丰 丰裕 兴隆 万丰 富强 红光 双庙 黄羊 新光 团结 福兴"
)
MOBILE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 "
    "166 176 177 180 181 182 183 185 186 187 188 189 191 198 199"
)
GROUP_NUMERALS = "一二三四五六七八九十"

# Important customers (重要客户): kinds of institution that must not lose power.
IMPORTANT_KINDS = (
    "社区卫生服务中心",
    "中心医院分院",
    "自来水厂加压站",
    "供热站",
    "实验小学",
    "第二中学分校",
    "幼儿园",
    "敬老院",
    "消防救援站",
    "污水处理厂",
    "燃气调压站",
    "通信机房",
)

CJK_START, CJK_END = 0x4E00, 0x9FFF


def is_chinese(text: str) -> bool:
    """True when every character is a CJK unified ideograph."""
    return bool(text) and all(CJK_START <= ord(ch) <= CJK_END for ch in text)
