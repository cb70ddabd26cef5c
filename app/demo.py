"""Synthetic demo data (`flask --app app demo --residents N`): households and residents spread over
the active 社区-level organisations, at district scale in about a minute.

Everything is made up: names from common surname and given-name characters, estates with invented
names, ID numbers built by ``make_id_number`` (sequence codes allocated per region, birth date and
sex, skipping numbers already in the database). Families are drawn from templates (couple, children,
parents, a married child with grandchildren), so relations, ages, sexes and marital status agree.

The same seed on the same database state gives the same rows (ages count back from today, so run
on the same day). Rows are written with Core executemany in batches, never as ORM objects; ids are
allocated here from max(id)+1 so the three tables are written without reading keys back.
"""
import bisect
import datetime
import itertools
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select, text

from .extensions import db
from .idcard import make_id_number
from .models import CodeItem, Household, Organisation, Resident, resident_special_group

NO_COMMUNITIES = "还没有社区：请先导入组织机构，例如 flask --app app orgs import 区划.csv"
BATCH_RESIDENTS = 10_000


class Weighted:
    """A weighted choice costing one ``random()`` call: ``Weighted({"01": 96, "03": 2})(rng)``."""

    def __init__(self, weights: dict):
        self.values = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def __call__(self, rng: random.Random):
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def by_age(*bands) -> callable:
    """``bands`` are (age below which the choice applies, Weighted or None), ascending."""
    def pick(rng: random.Random, age: int):
        chooser = next(choice for upper, choice in bands if age < upper)
        return chooser(rng) if chooser else None
    return pick


# -- household shapes -------------------------------------------------------------------------
HOUSEHOLD_SIZE = Weighted({1: 25, 2: 30, 3: 21, 4: 13, 5: 7, 6: 4})  # 2020 census-like
# Members besides the head: S spouse, C child, P parent, L the (one) child's spouse, G grandchild.
MEMBERS = {
    1: Weighted({"": 1}),
    2: Weighted({"S": 70, "C": 22, "P": 8}),
    3: Weighted({"SC": 75, "SP": 9, "CC": 6, "CL": 4, "PP": 6}),
    4: Weighted({"SCC": 50, "SCP": 20, "CLG": 15, "SPP": 15}),
    5: Weighted({"SCLG": 35, "SCCP": 25, "SCPP": 25, "SCCC": 15}),
    6: Weighted({"SCLGG": 40, "SCCPP": 35, "SCCCP": 25}),
}
SON_CODES, DAUGHTER_CODES = ("22", "23", "24", "25", "26"), ("32", "33", "34", "35", "36")
MARRIED_IN = {"10", "28", "38", "53", "54", "55", "56"}  # spouses, children-in-law, their parents

# -- people -----------------------------------------------------------------------------------
SURNAMES = Weighted(dict(zip(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵",
    [70, 70, 68, 54, 45, 31, 23, 20, 20, 20, 18, 17, 12, 12, 12, 12, 11, 10, 10, 9, 9, 8, 8, 7, 7,
     6, 6, 6, 6, 6, 6, 6, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3,
     3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
     2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2],
)))
GIVEN = {
    "1": "伟强军磊洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳建志国东峰晨博文轩天泽",
    "2": "芳娜敏静丽艳娟霞秀玲桂英华慧巧美婷雪琳晶颖倩琪萍红月莉燕洁欣怡佳梦瑶雨涵悦妍璐宁丹",
}
ETHNIC = Weighted({"01": 9600, "03": 160, "11": 100, "02": 40, "10": 20, "08": 15, "15": 12,
                   "06": 10, "04": 5, "05": 5, "97": 3})
ID_REGION = Weighted({"120110": 70, "120101": 3, "120102": 4, "120103": 3, "120104": 3,
                      "120105": 3, "120106": 2, "120111": 3, "120112": 3, "120113": 3,
                      "120114": 1, "120107": 1, "120108": 1, "120109": 1})
MOBILE_PREFIX = Weighted({p: 1 for p in ("130 131 132 133 135 136 137 138 139 150 151 152 153 "
                                         "155 156 157 158 159 176 177 180 181 182 183 185 186 "
                                         "187 188 189 199").split()})
HUKOU_ELSEWHERE = Weighted({"天津市河西区": 3, "天津市南开区": 3, "天津市河北区": 2,
                            "天津市西青区": 2, "河北省沧州市": 2, "山东省德州市": 1,
                            "河南省周口市": 1, "黑龙江省哈尔滨市": 1})
RESIDENCE_STATUS = Weighted({"1": 85, "2": 8, "3": 7})
HUKOU_NATURE = Weighted({"3": 70, "2": 20, "1": 10})
HOUSEHOLD_TYPE = Weighted({"1": 97, "2": 3})

EDUCATION = by_age(
    (6, None), (12, Weighted({"80": 1})), (15, Weighted({"70": 1})),
    (18, Weighted({"60": 70, "40": 30})),
    (23, Weighted({"20": 45, "30": 25, "61": 15, "44": 8, "71": 7})),
    (45, Weighted({"21": 32, "31": 24, "61": 14, "71": 10, "41": 5, "47": 4, "14": 8, "11": 1,
                   "22": 1, "33": 1})),
    (65, Weighted({"71": 30, "61": 25, "41": 10, "31": 14, "21": 12, "81": 6, "14": 2, "47": 1})),
    (200, Weighted({"81": 30, "71": 33, "61": 15, "41": 7, "31": 5, "21": 4, "83": 3, "90": 3})),
)
POLITICAL = by_age(
    (6, None), (14, Weighted({"13": 1})),
    (28, Weighted({"03": 45, "13": 48, "01": 6, "02": 1})),
    (200, Weighted({"13": 870, "01": 110, "02": 3, "05": 3, "07": 3, "10": 3, "06": 2, "08": 2,
                    "04": 1, "09": 1, "12": 2})),
)
MARITAL_SINGLE = by_age(  # adults with no spouse in the household
    (20, Weighted({"10": 1})), (30, Weighted({"10": 88, "20": 7, "40": 5})),
    (60, Weighted({"10": 25, "20": 35, "40": 30, "30": 10})),
    (200, Weighted({"30": 65, "40": 15, "20": 15, "10": 5})),
)
MARITAL_MARRIED = Weighted({"20": 30, "21": 60, "22": 8, "23": 2})
WORKING = Weighted({"17": 25, "24": 20, "13": 15, "21": 6, "11": 4, "54": 8, "51": 6, "70": 8,
                    "27": 3, "37": 1, "90": 4})
EMPLOYMENT = {  # by sex: (age, choice) bands; retirement at 60 for men, 55 for women
    sex: by_age((6, None), (18, Weighted({"31": 1})), (22, Weighted({"31": 65, **WORKING_YOUNG}))
                if False else None, )
    for sex in ()
}
