"""The demo district is deterministic and shaped like 临河: every grid has a manager,
every transformer area a grid, every customer a transformer area."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from chalicelib.domain.org import AreaClass, Role
from chalicelib.domain.phone import is_mobile
from infra.local.demo_data import DemoDistrict, generate, group_sizes
from infra.local.names import FORBIDDEN_NAMES, is_chinese
from infra.local.seed import demo_document, sample_customers


@pytest.fixture(scope="module")
def district() -> DemoDistrict:
    return generate()


def test_two_runs_give_the_same_district(district: DemoDistrict) -> None:
    assert generate() == district


def test_another_seed_gives_another_district(district: DemoDistrict) -> None:
    assert generate(seed=7).customers != district.customers


def test_counts_match_the_linhe_pilot(district: DemoDistrict) -> None:
    assert len(district.branches) == 1
    assert len(district.stations) == 4
    assert len(district.grids) == 92
    assert len(district.transformer_areas) >= 300
    assert len(district.customers) == 5000
    roles = Counter(s.role for s in district.staff)
    assert roles == {Role.MANAGER: 46, Role.CHIEF: 4, Role.BRANCH: 1, Role.OPS: 1, Role.ADMIN: 1}


def test_the_customer_count_is_adjustable() -> None:
    assert len(generate(500).customers) == 500


def test_grids_are_mostly_urban_with_some_rural_and_a_few_remote(district: DemoDistrict) -> None:
    classes = Counter(g.area_class for g in district.grids)
    assert classes[AreaClass.URBAN] > classes[AreaClass.RURAL] > classes[AreaClass.REMOTE] > 0


def test_every_grid_has_a_manager_of_its_station_who_manages_it(district: DemoDistrict) -> None:
    staff = {s.staff_id: s for s in district.staff}
    for grid in district.grids:
        manager = staff[grid.manager_id]
        assert manager.role is Role.MANAGER
        assert manager.station_id == grid.station_id
        assert grid.grid_id in manager.grid_ids
        assert grid.mutual_aid_group_id == manager.mutual_aid_group_id


def test_managers_hold_one_to_three_grids_mostly_two(district: DemoDistrict) -> None:
    held = Counter(len(s.grid_ids) for s in district.staff if s.role is Role.MANAGER)
    assert set(held) <= {1, 2, 3}
    assert held[2] > held[1] + held[3]
    assert sum(n * count for n, count in held.items()) == 92


def test_mutual_aid_groups_have_three_to_five_managers_of_one_station(
    district: DemoDistrict,
) -> None:
    staff = {s.staff_id: s for s in district.staff}
    members = [m for g in district.mutual_aid_groups for m in g.member_ids]
    assert sorted(members) == sorted(s.staff_id for s in district.staff if s.grid_ids)
    for group in district.mutual_aid_groups:
        assert 3 <= len(group.member_ids) <= 5
        for member in group.member_ids:
            assert staff[member].station_id == group.station_id
            assert staff[member].mutual_aid_group_id == group.group_id


def test_group_sizes_refuse_what_cannot_be_split() -> None:
    assert group_sizes(11) == [4, 4, 3]
    with pytest.raises(ValueError):
        group_sizes(2)


def test_every_transformer_area_is_in_a_grid_of_its_station(district: DemoDistrict) -> None:
    grids = {g.grid_id: g for g in district.grids}
    for ta in district.transformer_areas:
        assert grids[ta.grid_id].station_id == ta.station_id
    assert {ta.grid_id for ta in district.transformer_areas} == set(grids)


def test_every_customer_is_in_a_transformer_area(district: DemoDistrict) -> None:
    tas = {ta.ta_id for ta in district.transformer_areas}
    assert all(c.ta_id in tas for c in district.customers)


def test_account_numbers_are_unique_and_well_formed(district: DemoDistrict) -> None:
    numbers = [c.account_no for c in district.customers]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"0601\d{6}", n) for n in numbers)


def test_names_look_chinese_and_avoid_the_article_people(district: DemoDistrict) -> None:
    names = [c.holder_name for c in district.customers] + [s.name for s in district.staff]
    assert all(is_chinese(name) for name in names)
    assert all(2 <= len(c.holder_name) <= 3 for c in district.customers if not c.important)
    assert not FORBIDDEN_NAMES & set(names)
    assert len({s.name for s in district.staff}) == len(district.staff)


def test_addresses_are_unique_and_in_linhe(district: DemoDistrict) -> None:
    addresses = [c.address for c in district.customers]
    assert len(set(addresses)) == len(addresses)
    assert all(a.startswith("临河区") for a in addresses)
    assert any(re.search(r"\d+号楼\d单元\d{3,4}$", a) for a in addresses)
    assert any(re.search(r"村[一二三四五六七八]组\d+号$", a) for a in addresses)


def test_some_customers_are_important_or_special(district: DemoDistrict) -> None:
    important = [c for c in district.customers if c.important]
    special = [c for c in district.customers if c.special]
    assert 10 <= len(important) <= 100
    assert 30 <= len(special) <= 200
    assert not {c.account_no for c in important} & {c.account_no for c in special}


def test_staff_phones_are_unique_mainland_mobiles(district: DemoDistrict) -> None:
    phones = [s.phone for s in district.staff]
    assert all(is_mobile(p) for p in phones)
    assert len(set(phones)) == len(phones)


def test_demo_json_lists_samples_and_every_staff_member(district: DemoDistrict) -> None:
    document = demo_document(district, "http://127.0.0.1:8000")
    samples = sample_customers(district)
    assert len(document["customers"]) == len(samples) >= 15
    assert any(c["important"] for c in document["customers"])
    assert any(c["special"] for c in document["customers"])
    assert {c["area_class"] for c in document["customers"]} == {"urban", "rural", "remote"}
    assert [s["staff_id"] for s in document["staff"]] == [s.staff_id for s in district.staff]
    managers = [s for s in document["staff"] if s["role"] == "manager"]
    assert all(s["grid_ids"] for s in managers)


def test_the_outage_demo_neighbours_share_a_transformer_area_no_sample_lives_in(
    district: DemoDistrict,
) -> None:
    from infra.local.seed import outage_neighbours

    neighbours = outage_neighbours(district)
    samples = {c.ta_id for c in sample_customers(district)}

    assert len(neighbours) == 4 and len({c.account_no for c in neighbours}) == 4
    assert len({c.ta_id for c in neighbours}) == 1 and neighbours[0].ta_id not in samples
