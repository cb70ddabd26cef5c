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
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import func, insert, select, text

from .extensions import db
from .idcard import make_id_number
from .stats import refresh_stats
from .models import CodeItem, Household, Organisation, Resident, resident_special_group

NO_COMMUNITIES = "还没有社区：请先导入组织机构，例如 flask --app app orgs import 区划.csv"
BATCH_RESIDENTS = 10_000
LOAD_CACHE_KIB = 256 * 1024


class Weighted:
    """A weighted choice costing one ``random()`` call: ``Weighted({"01": 96, "03": 2})(rng)``."""

    def __init__(self, weights: dict):
        self.values = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def __call__(self, rng: random.Random):
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def by_age(*bands) -> Callable:
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
    "2": "芳娜敏静丽艳娟霞秀玲桂英萱慧巧美婷雪琳晶颖倩琪萍红月莉燕洁欣怡佳梦瑶雨涵悦妍璐薇丹",
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


def employment_by_age(retirement: int) -> Callable:
    return by_age((6, None), (18, Weighted({"31": 1})),
                  (22, Weighted({"31": 65, "17": 10, "24": 10, "70": 10, "51": 5})),
                  (retirement, WORKING), (200, Weighted({"80": 85, "70": 8, "54": 2, "90": 5})))


EMPLOYMENT = {"1": employment_by_age(60), "2": employment_by_age(55)}
# (special_group code, probability, who qualifies given the person, the household shape, the job)
SPECIAL_GROUPS = (
    ("01", 0.85, lambda p, kinds, job: kinds == "" and p.age >= 65),
    ("02", 0.02, lambda p, kinds, job: True),
    ("03", 0.015, lambda p, kinds, job: True),
    ("04", 0.01, lambda p, kinds, job: p.age >= 50),
    ("05", 0.5, lambda p, kinds, job: job == "70" and 18 <= p.age < 60),
    ("06", 0.6, lambda p, kinds, job: p.sex == "2" and 15 <= p.age < 50),
    ("07", 0.002, lambda p, kinds, job: p.age >= 18),
    ("08", 0.85, lambda p, kinds, job: kinds == "S" and p.age >= 60),
    ("09", 0.005, lambda p, kinds, job: p.age < 16),
    ("10", 0.01, lambda p, kinds, job: p.age >= 60),
)
ESTATE_HEADS, ESTATE_TAILS = "欣丽翠景和富金华明春松竹梅兰泰康福瑞祥嘉怡馨锦新安宁雅汇盛雍", "园苑庭城湾景居馨悦华"
ESTATE_SUFFIXES = ("里", "小区", "花园", "家园", "新村", "公寓", "")


@dataclass(slots=True)
class Person:
    relation: str
    sex: str
    age: int
    surname: str
    married: bool = False  # has a spouse in the household


def family(rng: random.Random, kinds: str) -> list[Person]:
    """The head and the members named by ``kinds`` (see MEMBERS), with consistent ages and names."""
    with_spouse = "S" in kinds
    head = Person("02", "1" if rng.random() < (0.75 if with_spouse else 0.5) else "2",
                  head_age(rng, kinds), SURNAMES(rng), with_spouse)
    people = [head]
    spouse = None
    if with_spouse:
        spouse = Person("10", other_sex(head.sex), max(20, head.age + rng.randint(-6, 4)),
                        SURNAMES(rng), True)
        people.append(spouse)
    father = spouse if spouse and spouse.sex == "1" else head
    people += children(rng, kinds, min(p.age for p in people), father.surname)
    people += parents(rng, kinds.count("P"), head, spouse)
    return people


def head_age(rng: random.Random, kinds: str) -> int:
    if "G" in kinds:
        return rng.randint(52, 85)
    if "L" in kinds:
        return rng.randint(48, 85)
    if "P" in kinds:
        return rng.randint(24, 58)
    if "C" in kinds:
        return rng.randint(24, 62)
    if "S" in kinds:
        return rng.randint(22, 88)
    return rng.randint(20, 59) if rng.random() < 0.5 else rng.randint(60, 95)


def other_sex(sex: str) -> str:
    return "2" if sex == "1" else "1"


def children(rng: random.Random, kinds: str, parent_age: int, surname: str) -> list[Person]:
    """Children, eldest first, numbered 长子/次子…; a married child brings a spouse and children.
    ``parent_age`` is the younger parent's age: every child is at least 20 years younger."""
    married = "L" in kinds
    low, high = (max(24, parent_age - 40), parent_age - 22) if married else (
        max(0, parent_age - 42), max(0, parent_age - 20))
    ages = sorted((rng.randint(low, high) for _ in range(kinds.count("C"))), reverse=True)
    kids = [Person("", "1" if rng.random() < 0.515 else "2", age, surname, married)
            for age in ages]
    for sex, only, ordinals, other in (("1", "21", SON_CODES, "29"),
                                       ("2", "31", DAUGHTER_CODES, "39")):
        same = [kid for kid in kids if kid.sex == sex]
        for n, kid in enumerate(same):
            kid.relation = only if len(kids) == 1 else (
                ordinals[n] if n < len(ordinals) else other)
    if married:
        kids += next_generation(rng, kids[0], kinds.count("G"))
    return kids


def next_generation(rng: random.Random, child: Person, grandchildren: int) -> list[Person]:
    """A married child's spouse (儿媳/女婿) and their children (孙子女/外孙子女)."""
    in_law = Person("38" if child.sex == "1" else "28", other_sex(child.sex),
                    max(22, child.age + rng.randint(-4, 4)), SURNAMES(rng), True)
    surname = child.surname if child.sex == "1" else in_law.surname
    first_code = 41 if child.sex == "1" else 43  # 41 孙子 42 孙女 / 43 外孙子 44 外孙女
    youngest_parent = min(child.age, in_law.age)
    people = [in_law]
    for _ in range(grandchildren):
        sex = "1" if rng.random() < 0.515 else "2"
        people.append(Person(str(first_code + (sex == "2")), sex,
                             rng.randint(0, youngest_parent - 20), surname))
    return people


def parents(rng: random.Random, count: int, head: Person, spouse: Person | None) -> list[Person]:
    """The head's parents (父亲/母亲), or one time in five the spouse's (岳父母/公婆)."""
    if not count:
        return []
    of_spouse = spouse is not None and rng.random() < 0.2
    child = spouse if of_spouse else head
    codes = ("51", "52") if not of_spouse else ("55", "56") if head.sex == "1" else ("53", "54")
    people = []
    for sex in ("1", "2") if count == 2 else (rng.choice("12"),):
        age = min(100, child.age + (rng.randint(22, 34) if sex == "1" else rng.randint(20, 32)))
        surname = child.surname if sex == "1" else SURNAMES(rng)
        people.append(Person(codes[sex == "2"], sex, age, surname, count == 2))
    return people


def given_name(rng: random.Random, sex: str) -> str:
    chars = GIVEN[sex]
    return rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.8 else "")


def estates(rng: random.Random) -> list[tuple[str, int]]:
    """A community's made-up estates (欣园里, 丽苑小区 …) and how many buildings each has."""
    names, wanted = set(), rng.randint(2, 6)
    while len(names) < wanted:
        names.add(rng.choice(ESTATE_HEADS) + rng.choice(ESTATE_TAILS) + rng.choice(ESTATE_SUFFIXES))
    return [(name, rng.randint(4, 30)) for name in sorted(names)]


class IdAllocator:
    """Sequence codes per (region, birth date, sex) — odd for men, even for women — skipping
    numbers already taken, so generated numbers never collide with each other or the database."""

    def __init__(self, taken: set[str]):
        self.taken = taken
        self.next_seq: dict = {}

    def allocate(self, region: str, born: datetime.date, sex: str) -> str:
        key = (region, born, sex)
        seq = self.next_seq.get(key, 1 if sex == "1" else 2)
        while seq < 1000:
            number = make_id_number(region, born, seq)
            seq += 2
            if number not in self.taken:
                self.next_seq[key] = seq
                return number
        raise RuntimeError(f"地区 {region} 出生日期 {born} 的身份证顺序码已用完")


@dataclass
class Demo:
    """The generator's random source, what it read from the database, and its running counters."""

    rng: random.Random
    pick_community: Weighted
    estates: dict  # community id -> [(estate name, buildings)]
    household_no: dict  # community id -> last numeric household number used
    next_household_id: int
    next_resident_id: int
    ids: IdAllocator
    group_ids: dict  # special_group code -> code_item id
    today: datetime.date
    stamps: dict  # version and created/changed columns, the same on every row

    def batch(self, residents: int) -> tuple[list, list, list]:
        """Whole households holding ``residents`` people: household, resident, group rows."""
        households, people, groups = [], [], []
        while len(people) < residents:
            size = min(HOUSEHOLD_SIZE(self.rng), residents - len(people))
            kinds = MEMBERS[size](self.rng)
            household = self.household_row(size)
            shared = {"ethnic": ETHNIC(self.rng), "hukou_nature": HUKOU_NATURE(self.rng)}
            households.append(household)
            for person in family(self.rng, kinds):
                people.append(self.resident_row(person, household, kinds, shared, groups))
        return households, people, groups

    def household_row(self, size: int) -> dict:
        rng = self.rng
        community = self.pick_community(rng)
        self.household_no[community] += 1
        estate, buildings = rng.choice(self.estates[community])
        rooms = min(4, 1 + size // 2 + rng.randint(0, 1))
        phone = f"022-2{rng.randrange(10**7):07d}" if rng.random() < 0.3 else None
        row = {"id": self.next_household_id, "household_no": f"{self.household_no[community]:06d}",
               "household_type": HOUSEHOLD_TYPE(rng), "community_id": community,
               "estate": estate, "building": str(rng.randint(1, buildings)),
               "unit": str(rng.randint(1, 6)),
               "door": f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}",
               "floor_area": round(rooms * rng.uniform(18, 30) + rng.uniform(12, 25), 2),
               "rooms": rooms, "phone": phone, "status": "active", **self.stamps}
        self.next_household_id += 1
        return row

    def resident_row(self, p: Person, household: dict, kinds: str, shared: dict,
                     groups: list) -> dict:
        rng = self.rng
        born = self.today - datetime.timedelta(days=p.age * 365 + p.age // 4 + rng.randrange(365))
        job = EMPLOYMENT[p.sex](rng, p.age)
        residence = RESIDENCE_STATUS(rng)
        row = {"id": self.next_resident_id, "name": p.surname + given_name(rng, p.sex),
               "id_card_no": self.ids.allocate(ID_REGION(rng), born, p.sex), "sex": p.sex,
               "birth_date": born, "relation": p.relation,
               "ethnic": ETHNIC(rng) if p.relation in MARRIED_IN else shared["ethnic"],
               "household_id": household["id"], "community_id": household["community_id"],
               "hukou_nature": shared["hukou_nature"], "residence_status": residence,
               "hukou_address": HUKOU_ELSEWHERE(rng) if residence == "3" else None,
               "education": EDUCATION(rng, p.age), "political": POLITICAL(rng, p.age),
               "marital": MARITAL_MARRIED(rng) if p.married else MARITAL_SINGLE(rng, p.age),
               "employment": job, "status": "active", **self.stamps,
               "phone": f"{MOBILE_PREFIX(rng)}{rng.randrange(10**8):08d}"
               if p.age >= 16 and rng.random() < 0.75 else None}
        groups.extend({"resident_id": row["id"], "code_item_id": self.group_ids[code]}
                      for code, chance, applies in SPECIAL_GROUPS if code in self.group_ids
                      and applies(p, kinds, job) and rng.random() < chance)
        self.next_resident_id += 1
        return row


def generate_demo(residents: int, seed: int = 1) -> str:
    """Add ``residents`` synthetic residents in new households; returns a one-line summary."""
    started = time.perf_counter()
    if residents < 1:
        raise RuntimeError("居民人数应为正整数")
    demo = load(seed)
    totals = write(demo, residents)
    reset_sequences()
    refresh_stats(demo.estates)  # the rollups (list counts, dashboard) include the new people
    db.session.commit()
    return (f"演示数据：新增 {totals['households']} 户、{totals['residents']} 名居民、"
            f"{totals['groups']} 条特殊人群标记，分布于 {len(demo.estates)} 个社区，"
            f"用时 {time.perf_counter() - started:.1f} 秒")


def load(seed: int) -> Demo:
    """Read what generation depends on: communities, numbers and ids in use, special-group codes."""
    communities = db.session.scalars(
        select(Organisation.id).where(Organisation.level == "community", Organisation.active)
        .order_by(Organisation.code)).all()
    if not communities:
        raise RuntimeError(NO_COMMUNITIES)
    rng = random.Random(seed)
    now = datetime.datetime.now().replace(microsecond=0)
    return Demo(
        rng=rng, pick_community=Weighted({c: rng.uniform(0.4, 1.6) for c in communities}),
        estates={c: estates(rng) for c in communities},
        household_no=last_household_numbers(communities),
        next_household_id=max_id(Household) + 1, next_resident_id=max_id(Resident) + 1,
        ids=IdAllocator(set(db.session.scalars(select(Resident.id_card_no)))),
        group_ids=dict(db.session.execute(
            select(CodeItem.code, CodeItem.id)
            .where(CodeItem.table == "special_group", CodeItem.active)).all()),
        today=now.date(),
        stamps={"version": 1, "created_on": now, "changed_on": now, "created_by_id": None,
                "changed_by_id": None},
    )


def last_household_numbers(communities: list[int]) -> dict[int, int]:
    """Per community, the largest all-digit household number, so new numbers continue after it."""
    last = dict.fromkeys(communities, 0)
    rows = db.session.execute(select(Household.community_id, Household.household_no))
    for community, number in rows:
        if community in last and number.isascii() and number.isdigit():
            last[community] = max(last[community], int(number))
    return last


def max_id(model) -> int:
    return db.session.scalar(select(func.coalesce(func.max(model.id), 0)))


def write(demo: Demo, residents: int) -> Counter:
    """Generate and insert in batches of whole households, with one executemany per table."""
    connection = db.session.connection()
    totals = Counter()
    with large_page_cache(connection):
        while totals["residents"] < residents:
            households, people, groups = demo.batch(
                min(BATCH_RESIDENTS, residents - totals["residents"]))
            for table, rows in ((Household.__table__, households), (Resident.__table__, people),
                                (resident_special_group, groups)):
                if rows:
                    connection.execute(insert(table), rows)
            totals.update(households=len(households), residents=len(people), groups=len(groups))
    return totals


@contextmanager
def large_page_cache(connection):
    """SQLite: a 256 MB page cache while loading, so the pages of the growing indexes (name,
    ID number, birth date …) stay in memory; the connection's own setting is restored after."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size={-LOAD_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={before}")


def reset_sequences() -> None:
    """PostgreSQL: move the id sequences past the ids allocated here."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in ("household", "resident"):
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT max(id) FROM {table}))"))
