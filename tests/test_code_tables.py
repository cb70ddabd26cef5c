"""seed/code_tables.csv: structure, and agreement with the shared reference code lists."""
import csv
from collections import Counter
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[1] / 'seed' / 'code_tables.csv'
SHARED = Path(__file__).resolve().parents[2] / 'shared' / 'data'
TABLES = {
    'sex', 'ethnic', 'relation', 'education', 'marital', 'political', 'employment',
    'household_type', 'hukou_nature', 'residence_status', 'special_group',
}
REFERENCE = {
    'sex': ['GB_T_2261.1-2003_sex.csv'],
    'ethnic': ['GB_T_3304-1991_ethnic_groups.csv', 'ethnic_extra_codes_NOT_in_GB_T_3304.csv'],
    'relation': ['GB_T_4761-2008_family_relationship.csv'],
    'marital': ['GB_T_2261.2-2003_marital_status.csv'],
    'political': ['GB_T_4762-1984_political_affiliation.csv'],
    'education': ['GB_T_4658-2006_education.csv'],
    'employment': ['GB_T_2261.4-2003_employment_status.csv'],
}
# Normalisations documented in seed/README.md: (table, code) -> (reference name, seed name).
NORMALISED = {
    ('sex', '1'): ('男性', '男'),
    ('sex', '2'): ('女性', '女'),
    ('education', '20'): ('大学本科', '大学本科教育'),
    ('education', '30'): ('专科教育', '大学专科教育'),
    ('education', '70'): ('初级中等教育', '初级中学教育'),
}


def _rows():
    with SEED.open(encoding='utf-8', newline='') as f:
        return list(csv.DictReader(f))


def _seed_table(table):
    return {r['code']: r['name'] for r in _rows() if r['table'] == table}


def test_header_and_no_bom():
    assert SEED.read_bytes().startswith(b'table,code,name,sort_order\n')


def test_no_duplicate_codes():
    counts = Counter((r['table'], r['code']) for r in _rows())
    assert [key for key, n in counts.items() if n > 1] == []


def test_every_table_present():
    assert {r['table'] for r in _rows()} == TABLES


def test_sort_order_is_sequential_per_table():
    for table in TABLES:
        orders = [int(r['sort_order']) for r in _rows() if r['table'] == table]
        assert orders == list(range(1, len(orders) + 1)), table


@pytest.mark.parametrize('table', sorted(REFERENCE))
def test_agrees_with_shared_reference(table):
    if not SHARED.is_dir():
        pytest.skip(f'../shared/data not present: {SHARED}')
    expected = {}
    for name in REFERENCE[table]:
        with (SHARED / 'codes' / name).open(encoding='utf-8') as f:
            expected.update((r['code'], r['name']) for r in csv.DictReader(f))
    for (t, code), (ref_name, seed_name) in NORMALISED.items():
        if t == table:
            assert expected[code] == ref_name
            expected[code] = seed_name
    assert _seed_table(table) == expected
