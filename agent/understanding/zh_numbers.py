"""Numbers in a Chinese request: Chinese numerals as digits, runtime bounds and the time the person
has, years and decades, a minimum rating, and an age rating (or a child's age that sets one).

Example::

    apply_numbers(u, s, ctx)  # "两个小时以内的九十年代电影" -> max_runtime=120, year_min=1990, year_max=1999
"""

from __future__ import annotations

import re

from agent.understanding.embedded import TurnContext
from agent.understanding.schema import Understanding

_CN = re.compile(r"[零〇一二两俩仨三四五六七八九十百]+")
_UNIT = r"(小时|钟头|个钟|h\b|hours?|hrs?|分钟|min\b|mins|minutes)"
_AMOUNT = r"(\d+(?:\.\d+)?|半)\s*(?:个)?\s*(半)?\s*(?:多)?\s*"
_DURATION = re.compile(_AMOUNT + _UNIT)
_DURATION_RANGE = re.compile(_AMOUNT + _UNIT + r"?\s*(?:到|至|-|~|—|–)\s*" + _AMOUNT + _UNIT)
_RUNTIME_MAX_BEFORE = re.compile(r"(不|别|没|不要|千万别|不能|不可以)(要|能)?超过|少于|控制在|低于|小于|不到|短于|最长")
_RUNTIME_MAX_AFTER = re.compile(r"^(以内|之内|以下|内|之下|不到|的不要|以上的不要|以上不要|的都不要)")
_RUNTIME_MIN = re.compile(r"至少|起码|最少|不少于|超过|多于|长于|以上")
_BUDGET = re.compile(r"只有|还有|就|最多|顶多|左右|能看完|看完|空档|到站|有大概|大概有|剩")
_DECADE_PAIR = re.compile(r"([一二三四五六七八九])([一二三四五六七八九])十年代|(\d)0\s*[、,，/和或到至\-~]?\s*(\d)0\s*年代"
                          r"|([七八九])零\s*([八九零])零\s*年代")
_DECADE = re.compile(r"((?:19|20)?\d0)\s*(?:年代|'?s(?![a-z]))|(\d0)后(?:的电影|的片)|(?<!\d)([0-9])零\s*(?=\d零|年代)")
_YEAR_RANGE = re.compile(r"((?:19|20)\d\d)\s*年?\s*(?:到|至|-|~|—|–)\s*((?:19|20)\d\d)\s*年?")
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年?\s*(以后|之后|后|以来|起|开始|往后|以前|之前|前|往前|的|上映)?")
_RATING = re.compile(r"(?:评分|豆瓣|imdb|分数|打分|评价|口碑|至少|起码|最少|最低)(?:在|要|是|:|：|\s)*(\d(?:\.\d)?)\s*分?\s*(?:以上|及以上|往上|起|\+|/10)?"
                     r"|(\d(?:\.\d)?)\s*分\s*(?:以上|及以上|往上|起|\+)")
_MPAA = re.compile(r"(?<![a-z])(nc-17|pg-13|pg13|pg|g|r)\s*级?\s*(以下|以内|及以下|为止)?")
_AGE = re.compile(r"(\d{1,2})\s*(?:岁|周岁)")


def _minutes(amount: str, half: str | None, unit: str) -> int:
    value = 0.5 if amount == "半" else float(amount)
    if half:
        value += 0.5
    hours = not unit.startswith(("分", "min"))
    return int(round(value * 60)) if hours else int(round(value))


def cn_numbers(text: str) -> str:
    """Chinese numerals as digits: '一个半小时' -> '1个半小时', '九十年代' -> '90年代',
    '一九九五年' -> '1995年'."""
    def value(m: re.Match) -> str:
        s = m.group(0)
        if s in ("半",):
            return s
        if "十" not in s and "百" not in s:
            return "".join(str(_digit(c)) for c in s)
        total, section = 0, 0
        for c in s:
            if c == "百":
                total += (section or 1) * 100
                section = 0
            elif c == "十":
                total += (section or 1) * 10
                section = 0
            else:
                section = _digit(c)
        return str(total + section)

    return _CN.sub(value, text)


_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "仨": 3, "四": 4, "五": 5, "六": 6,
          "七": 7, "八": 8, "九": 9}


def _digit(c: str) -> int:
    return _DIGIT[c]


def apply_numbers(u: Understanding, s: str, ctx: TurnContext) -> None:
    """Runtime bounds, the time the person has, years and decades, a minimum rating, an age rating."""
    c = u.constraints
    pair = _DECADE_PAIR.search(s)
    n = cn_numbers(s)
    if _durations(u, n):
        pass
    elif re.search(r"(别|不要|不能|不想|不会|不)(太|那么|是很|要太)长", s):
        c.max_runtime = 120
    n = n.replace("千禧年", "2000年")
    if pair:
        if pair.group(1) or pair.group(5):
            a, b = _digit(pair.group(1) or pair.group(5)), _digit(pair.group(2) or pair.group(6))
        else:
            a, b = int(pair.group(3)), int(pair.group(4))
        c.year_min, c.year_max = _decade(a * 10), _decade(b * 10) + 9
    else:  # "九十年代", "90s", "八零九零年代" / "七十年代到九十年代" / "九十年代或者零零年代" (from the first to the last)
        starts = [_decade(int(m.group(1) or m.group(2) or m.group(3) + "0")) for m in _DECADE.finditer(n)]
        if starts:
            c.year_min, c.year_max = min(starts), max(starts) + 9
    m = _YEAR_RANGE.search(n)
    if m:
        c.year_min, c.year_max = sorted((int(m.group(1)), int(m.group(2))))
    elif c.year_min is None and c.year_max is None:
        for m in _YEAR.finditer(n):
            year, how = int(m.group(1)), m.group(2) or ""
            if not (1900 <= year <= ctx.max_year + 5):
                continue
            if how in ("以后", "之后", "后", "往后", "以来", "起", "开始"):  # from X on, X included
                c.year_min = year
            elif how in ("以前", "之前", "前", "往前"):
                c.year_max = year - 1
            elif how in ("的", "上映") or re.search(r"(19|20)\d\d\s*年", m.group(0)):
                c.year_min = c.year_max = year
    for m in _RATING.finditer(n):
        value = float(m.group(1) or m.group(2))
        if 1 <= value <= 10 and not re.search(r"(小时|分钟|岁|年|部|个)", n[m.end():m.end() + 2]):
            c.min_rating = value
            break
    _mpaa(u, n)
    m = _AGE.search(n)
    if m and int(m.group(1)) <= 12 and not u.scene.companions:
        u.scene.companions = "kids"


_AGE_CEILINGS = ((4, "G"), (12, "PG"), (16, "PG-13"))
_TW_RATINGS = {"普遍级": "G", "普级": "G", "保护级": "PG", "护级": "PG", "辅导级": "PG-13", "辅级": "PG-13", "限制级": "R"}


def _mpaa(u: Understanding, n: str) -> None:
    """"PG-13以下", "R级的不要", "保護級以內" (Taiwan's ratings), and the youngest child's age
    ("我女儿才4岁" -> G; "一个5岁一个8岁" -> PG)."""
    c = u.constraints
    order = ["G", "PG", "PG-13", "R", "NC-17"]
    for word, rating in _TW_RATINGS.items():
        n = n.replace(word, rating.lower() + "级")
    m = _MPAA.search(n)
    if m and (m.group(2) or "级" in n[m.end(1):m.end(1) + 2] or "pg" in m.group(1)):
        rating = {"pg13": "PG-13"}.get(m.group(1), m.group(1).upper())
        before, after = n[max(0, m.start() - 4):m.start()], n[m.end():m.end() + 5]
        if re.search(r"(不要|别|不能|没有|不想)", before) or re.search(r"^(的)?(不要|不行|免了|就算了|不看)", after):
            c.mpaa_max = order[max(0, order.index(rating) - 1)]
        else:
            c.mpaa_max = rating
        return
    ages = [int(a) for a in _AGE.findall(n) if int(a) <= 16]
    kids = re.search(r"孩子|小孩|儿子|女儿|娃|侄|外甥|孙|宝宝|闺女|小朋友", n)
    if ages and kids and c.mpaa_max is None:
        c.mpaa_max = next(r for limit, r in _AGE_CEILINGS if min(ages) <= limit)


def _decade(two: int) -> int:
    if two >= 1900:
        return two
    return 2000 + two if two < 30 else 1900 + two


def _durations(u: Understanding, n: str) -> bool:
    """Runtime bounds and the time the person has: "90到120分钟" (a range), "不超过两小时" /
    "两个小时以内的" (a bound on the film), "至少一个半小时", "我们只有一个半小时" /
    "两个小时以内能看完" (the time they have)."""
    c = u.constraints
    m = _DURATION_RANGE.search(n)
    if m:
        unit = m.group(6)
        low, high = _minutes(m.group(1), m.group(2), m.group(3) or unit), _minutes(m.group(4), m.group(5), unit)
        if 20 <= low < high <= 400:
            c.min_runtime, c.max_runtime = low, high
            return True
    found = False
    for m in _DURATION.finditer(n):
        minutes = _minutes(m.group(1), m.group(2), m.group(3))
        if not 20 <= minutes <= 400:
            continue
        found = True
        before, after = n[max(0, m.start() - 8):m.start()], n[m.end():m.end() + 6]
        if _RUNTIME_MAX_BEFORE.search(before) or _RUNTIME_MAX_AFTER.search(after):
            scene_talk = (u.scene.companions or u.scene.time_of_day) and not re.search(r"片长|的", before + after)
            if (_BUDGET.search(before + after) or scene_talk) and not _RUNTIME_MAX_BEFORE.search(before) \
                    and (scene_talk or u.scene.companions or u.scene.time_of_day or "看完" in after):
                u.scene.time_budget_min = minutes
            else:
                c.max_runtime = minutes
        elif _RUNTIME_MIN.search(before[-4:]) or after.startswith("以上"):
            c.min_runtime = minutes
        elif c.max_runtime is None and c.min_runtime is None:  # "我们只有一个半小时", "最多两个小时"
            u.scene.time_budget_min = minutes
    if c.max_runtime or c.min_runtime:
        u.scene.time_budget_min = None
    return found
