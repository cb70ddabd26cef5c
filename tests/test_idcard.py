"""GB 11643-1999 公民身份号码 rules (app.idcard): shared vectors plus synthetic cases."""
import csv
from datetime import date
from pathlib import Path

import pytest

from app.idcard import (
    IdNumberError,
    check_digit,
    make_id_number,
    mask_id_number,
    normalize_id_number,
    parse_id_number,
)

SHARED = Path(__file__).resolve().parents[2] / 'shared' / 'data'
TODAY = date(2024, 6, 1)
# Rule expected for each invalid shared vector.
INVALID_RULE = {
    '120110198001010010': '校验码',
    '120110199902290032': '出生日期',
    '120110198013010016': '出生日期',
    '120110209901010015': '出生日期',
    '990101198001010014': '地区码',
    '12011019800101001': '位数',
    '12011019800101A01X': '字符',
}


def _shared_vectors():
    path = SHARED / 'idcard_test_vectors.csv'
    if not path.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f'../shared/data not present: {path}'))]
    with path.open(encoding='utf-8') as f:
        return [pytest.param(row, id=row['id_number']) for row in csv.DictReader(f)]


@pytest.mark.parametrize('row', _shared_vectors())
def test_shared_vector(row):
    raw = row['id_number']
    if row['expected'].startswith('valid'):
        person = parse_id_number(raw, TODAY)
        if len(raw) == 15:
            assert person.original == raw and len(person.number) == 18
        else:
            assert person.original is None and person.number == normalize_id_number(raw)
    else:
        assert row['expected'].startswith('invalid')
        with pytest.raises(IdNumberError) as exc:
            parse_id_number(raw, TODAY)
        assert exc.value.rule == INVALID_RULE[raw]


def test_standard_examples_check_digits():
    assert check_digit('11010519491231002') == 'X'
    assert check_digit('44052418800101001') == '4'


def test_full_width_spaces_and_lower_x():
    raw = ' １１０１０５　1949 1231 002ｘ '
    assert normalize_id_number(raw) == '11010519491231002X'
    person = parse_id_number(raw, TODAY)
    assert (person.sex_code, person.birth_date, person.region_code) == ('2', date(1949, 12, 31), '110105')
    assert person.original is None


def test_legacy_15_digit_upgrade_keeps_original():
    person = parse_id_number('120110800101001', TODAY)
    assert person.number == '120110198001010019'
    assert person.original == '120110800101001'
    assert person.sex_code == '1'


def test_birth_date_not_in_future():
    born_today = make_id_number('120110', TODAY, 2)
    assert parse_id_number(born_today, TODAY).birth_date == TODAY
    born_tomorrow = make_id_number('120110', date(2024, 6, 2), 2)
    with pytest.raises(IdNumberError, match='不能晚于今天'):
        parse_id_number(born_tomorrow, TODAY)


@pytest.mark.parametrize(
    'raw, rule, fragment',
    [
        ('12011019800101A01X', '字符', '第15位“A”'),
        ('12011080010100X', '字符', '第15位“X”'),
        ('1201101980010100191', '位数', '实际19位'),
        ('', '位数', '实际0位'),
        ('990101198001010014', '地区码', '99 不是有效的省级代码'),
        ('120110199902290032', '出生日期', '19990229 不是有效日期'),
        (make_id_number('120110', date(1849, 12, 31), 1), '出生日期', '不能早于1850年'),
        ('120110198001010010', '校验码', '第18位应为9，实际为0'),
    ],
)
def test_error_names_its_rule(raw, rule, fragment):
    with pytest.raises(IdNumberError) as exc:
        parse_id_number(raw, TODAY)
    assert exc.value.rule == rule
    assert rule in str(exc.value) and fragment in str(exc.value)
    assert str(exc.value).startswith('公民身份号码')


def test_abolished_county_code_accepted():
    assert parse_id_number(make_id_number('120107', date(1975, 3, 9), 18), TODAY).region_code == '120107'


def test_make_id_number_round_trip_and_limits():
    number = make_id_number('120110', date(2000, 2, 29), 2)
    assert number == '120110200002290024'
    assert parse_id_number(number, TODAY).sex_code == '2'
    for seq in (0, 1000):
        with pytest.raises(ValueError):
            make_id_number('120110', date(2000, 1, 1), seq)
    with pytest.raises(ValueError):
        check_digit('1201101980010100')


def test_mask_id_number():
    assert mask_id_number('120110198001010019') == '120110********0019'
    assert mask_id_number('') == ''
    assert mask_id_number(None) == ''
