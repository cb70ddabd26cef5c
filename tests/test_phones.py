"""Phone rules (app.phones): verdict for every shared vector plus synthetic cases."""
import csv
from pathlib import Path

import pytest

from app.phones import PhoneError, mask_phone, normalize_phone

SHARED = Path(__file__).resolve().parents[2] / 'shared' / 'data'
# input -> ('ok', stored form) or ('error', message fragment); mirrors the table in app/phones.py.
VERDICTS = {
    '13812345678': ('ok', '13812345678'),
    '+86 138 1234 5678': ('ok', '13812345678'),
    '008613812345678': ('ok', '13812345678'),
    '19912345678': ('ok', '19912345678'),
    '14512345678': ('ok', '14512345678'),
    '14912345678': ('error', '149 不是有效的手机号段'),
    '16212345678': ('ok', '16212345678'),
    '17412345678': ('error', '174 不是有效的手机号段'),
    '12345678901': ('error', '123 不是有效的手机号段'),
    '1381234567': ('error', '手机号应为11位，以1开头'),
    '022-84376000': ('ok', '022-84376000'),
    '+86 22 2345 6789': ('ok', '022-23456789'),
    '2345 6789': ('ok', '022-23456789'),
    '022-2345678': ('error', '天津固定电话应为022加8位号码，实际7位'),
    '022-12345678': ('error', '天津固定电话号码不能以1开头'),
    '022-02345678': ('error', '天津固定电话号码不能以0开头'),
    '010-12345678': ('error', '只接受天津固定电话（022加8位号码）'),
    '4001234567': ('error', '不接受400/800等服务号码'),
    '8001234567': ('error', '不接受400/800等服务号码'),
    '12345': ('error', '号码过短'),
}
OWN_CASES = {
    '': ('ok', ''),
    ' \u3000 ': ('ok', ''),
    '８６１３８１２３４５６７８': ('ok', '13812345678'),
    '138-1234-5678': ('ok', '13812345678'),
    '(022)84376000': ('ok', '022-84376000'),
    '022 8437 6000': ('ok', '022-84376000'),
    '0086 22 84376000': ('ok', '022-84376000'),
    '+86-22-84376000': ('ok', '022-84376000'),
    '84376000': ('ok', '022-84376000'),
    '110': ('error', '号码过短'),
    '1-800-FLOWERS': ('error', '含有非法字符“F”'),
    '022-84376000 转 123': ('error', '含有非法字符“转”'),
    '+852 2123 4567': ('error', '只接受中国大陆号码'),
    '021-61234567': ('error', '只接受天津固定电话'),
}


def _shared_rows():
    path = SHARED / 'phone_test_vectors.csv'
    if not path.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f'../shared/data not present: {path}'))]
    with path.open(encoding='utf-8') as f:
        return [pytest.param(row, id=row['input']) for row in csv.DictReader(f)]


def _assert_verdict(raw, verdict):
    kind, expected = verdict
    if kind == 'ok':
        assert normalize_phone(raw) == expected
    else:
        with pytest.raises(PhoneError) as exc:
            normalize_phone(raw)
        assert str(exc.value).startswith('电话号码无效：') and expected in str(exc.value)


@pytest.mark.parametrize('row', _shared_rows())
def test_shared_vector(row):
    verdict = VERDICTS[row['input']]
    if verdict[0] == 'ok':
        assert row['lib_valid'] == 'True' or row['input'] == '2345 6789'  # bare 8 digits: we assume 022
    _assert_verdict(row['input'], verdict)


@pytest.mark.parametrize('raw', list(VERDICTS) + list(OWN_CASES))
def test_verdicts_without_shared_data(raw):
    _assert_verdict(raw, VERDICTS.get(raw) or OWN_CASES[raw])


@pytest.mark.parametrize(
    'value, masked',
    [('13812345678', '138****5678'), ('022-84376000', '022-8437****'), ('', ''), (None, '')],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked
