"""Contact-phone rules: mainland mobiles and Tianjin (022) landlines, checked with ``phonenumbers``.

Stored forms: mobile ``13812345678``; landline ``022-84376000``; empty input -> ``''``.
A bare 8-digit number is taken as a Tianjin landline. Beyond libphonenumber, a Tianjin
subscriber number must not start with 0 or 1.

Verdicts for the shared ``phone_test_vectors.csv`` (asserted row by row in tests/test_phones.py):

=====================  ==================  ============================================
input                  verdict             reason
=====================  ==================  ============================================
13812345678            13812345678         mobile
+86 138 1234 5678      13812345678         mobile with country code
008613812345678        13812345678         mobile with 00 prefix
19912345678            19912345678         mobile 199
14512345678            14512345678         145 data-card block: libphonenumber MOBILE
14912345678            rejected            149 not a mobile block
16212345678            16212345678         mobile 162 (virtual operator)
17412345678            rejected            174 outside 1740[0-5]
12345678901            rejected            12x not a mobile block
1381234567             rejected            10 digits
022-84376000           022-84376000        Tianjin landline
+86 22 2345 6789       022-23456789        Tianjin landline, international form
2345 6789              022-23456789        bare 8 digits assumed 022
022-2345678            rejected            7-digit subscriber number
022-12345678           rejected            subscriber starts with 1 (stricter rule)
022-02345678           rejected            subscriber starts with 0 (stricter rule)
010-12345678           rejected            Beijing, not Tianjin
4001234567             rejected            400 shared-cost number
8001234567             rejected            800 toll-free number
12345                  rejected            short service code
=====================  ==================  ============================================
"""
import re
import unicodedata

import phonenumbers
from phonenumbers import PhoneNumberType

_ALLOWED = re.compile(r'[0-9+\-() ]+')
_MOBILE = re.compile(r'1[0-9]{10}')
_MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
_SERVICE_TYPES = (PhoneNumberType.TOLL_FREE, PhoneNumberType.SHARED_COST, PhoneNumberType.PREMIUM_RATE)


class PhoneError(ValueError):
    """Rejected phone number; the message (Chinese) names the fault."""

    def __init__(self, detail: str):
        super().__init__(f'电话号码无效：{detail}')


def normalize_phone(raw: str) -> str:
    text = unicodedata.normalize('NFKC', raw or '').strip()
    if not text:
        return ''
    number = _parse(text)
    nsn = phonenumbers.national_significant_number(number)
    if len(nsn) < 7:
        raise PhoneError('号码过短（110、12345等服务短号不能作为联系电话）')
    if nsn.startswith('1') and not nsn.startswith('10'):  # 10 is Beijing's area code
        return _mobile(number, nsn)
    if nsn.startswith('22'):
        return _tianjin(number, nsn)
    if phonenumbers.number_type(number) in _SERVICE_TYPES:
        raise PhoneError('不接受400/800等服务号码')
    raise PhoneError('只接受天津固定电话（022加8位号码）')


def mask_phone(value: str | None) -> str:
    """``138****5678`` for mobiles; otherwise the last four digits hidden (``022-8437****``)."""
    if not value:
        return ''
    if _MOBILE.fullmatch(value):
        return f'{value[:3]}****{value[-4:]}'
    return value[:-4] + '****'


def _parse(text: str) -> phonenumbers.PhoneNumber:
    bad = _ALLOWED.sub('', text)
    if bad:
        raise PhoneError(f'含有非法字符“{bad[0]}”，只能填写数字、空格、+、-和括号')
    digits = re.sub(r'[^0-9]', '', text)
    if len(digits) == 8 and '+' not in text:
        text = '022' + digits
    try:
        number = phonenumbers.parse(text, 'CN')
    except phonenumbers.NumberParseException:
        raise PhoneError('无法识别的号码') from None
    if number.country_code != 86:
        raise PhoneError('只接受中国大陆号码（+86）')
    return number


def _mobile(number: phonenumbers.PhoneNumber, nsn: str) -> str:
    if len(nsn) != 11:
        raise PhoneError(f'手机号应为11位，以1开头，实际{len(nsn)}位')
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise PhoneError(f'{nsn[:3]} 不是有效的手机号段')
    return nsn


def _tianjin(number: phonenumbers.PhoneNumber, nsn: str) -> str:
    subscriber = nsn[2:]
    if len(subscriber) != 8:
        raise PhoneError(f'天津固定电话应为022加8位号码，实际{len(subscriber)}位')
    if subscriber[0] in '01':
        raise PhoneError(f'天津固定电话号码不能以{subscriber[0]}开头')
    if not phonenumbers.is_valid_number(number):
        raise PhoneError('只接受天津固定电话（022加8位号码）')
    return f'022-{subscriber}'
