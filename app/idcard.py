"""公民身份号码 (GB 11643-1999) normalisation, validation and masking; pure Python, no DB.

Abolished county codes are accepted on purpose: the address code is the one at first
registration and stays in the number for life (see idcard.md in the reference data).
"""
import re
from dataclasses import dataclass
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = '10X98765432'  # indexed by (weighted sum mod 11)
PROVINCES = frozenset(
    [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55),
     *range(61, 66), 71, 81, 82, 83]
)
EARLIEST_BIRTH = date(1850, 1, 1)
_DIGITS = '0123456789'
_BODY = re.compile(r'[0-9]{17}')
# Full-width digits and letters -> half-width; ASCII and ideographic (U+3000) spaces removed.
_HALF_WIDTH = {
    **{c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)},
    **{c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)},
    **{c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)},
    ord(' '): None,
    0x3000: None,
}


class IdNumberError(ValueError):
    """Rejected number; ``rule`` is one of 字符, 位数, 地区码, 出生日期, 校验码."""

    def __init__(self, rule: str, detail: str):
        self.rule = rule
        head = '含有非法字符' if rule == '字符' else f'{rule}错误'
        self.message = f'公民身份号码{head}：{detail}'
        super().__init__(self.message)


@dataclass(frozen=True)
class IdNumber:
    number: str
    original: str | None
    sex_code: str
    birth_date: date
    region_code: str


def normalize_id_number(raw: str) -> str:
    return raw.strip().translate(_HALF_WIDTH).replace('x', 'X')


def check_digit(body17: str) -> str:
    if not _BODY.fullmatch(body17):
        raise ValueError(f'本体码应为17位数字：{body17!r}')
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(body17, WEIGHTS)) % 11]


def make_id_number(region: str, birth: date, seq: int) -> str:
    """Build a synthetic 18-digit number (demo data only)."""
    if not 0 < seq < 1000:
        raise ValueError(f'顺序码应为1–999：{seq}')
    body = f'{region}{birth:%Y%m%d}{seq:03d}'
    return body + check_digit(body)


def parse_id_number(raw: str, today: date | None = None) -> IdNumber:
    text = normalize_id_number(raw)
    _check_characters(text)
    if len(text) == 15:
        body = text[:6] + '19' + text[6:]
        number, original = body + check_digit(body), text
    else:
        number, original = text, None
    _check_region(number)
    birth = _birth_date(number[6:14], today or date.today())
    expected = check_digit(number[:17])
    if number[17] != expected:
        raise IdNumberError('校验码', f'第18位应为{expected}，实际为{number[17]}')
    sex = '1' if int(number[16]) % 2 else '2'
    return IdNumber(number, original, sex, birth, number[:6])


def mask_id_number(value: str | None) -> str:
    """``120110********0019``: first 6 and last 4 characters kept."""
    if not value:
        return ''
    if len(value) <= 10:
        return '*' * len(value)
    return value[:6] + '*' * (len(value) - 10) + value[-4:]


def _check_characters(text: str) -> None:
    """Digits only, X only as the 18th character, length 18 or 15."""
    for pos, ch in enumerate(text, 1):
        if ch not in _DIGITS and ch != 'X':
            raise IdNumberError('字符', f'第{pos}位“{ch}”')
    if len(text) not in (15, 18):
        raise IdNumberError('位数', f'应为18位（或15位旧号码），实际{len(text)}位')
    pos = text.find('X') + 1
    if 0 < pos < 18:
        raise IdNumberError('字符', f'第{pos}位“X”（X只能作为第18位校验码）')


def _check_region(number: str) -> None:
    if int(number[:2]) not in PROVINCES:
        raise IdNumberError('地区码', f'{number[:2]} 不是有效的省级代码')


def _birth_date(text: str, today: date) -> date:
    try:
        birth = date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise IdNumberError('出生日期', f'{text} 不是有效日期') from None
    if birth > today:
        raise IdNumberError('出生日期', '不能晚于今天')
    if birth < EARLIEST_BIRTH:
        raise IdNumberError('出生日期', f'不能早于{EARLIEST_BIRTH.year}年')
    return birth
