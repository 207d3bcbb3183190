"""The Unit and Lineage models: validity in time, identity across the reform, and the
labels the back office shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.functional import Promise

from chiso.units.models import Level, Lineage, Unit

from .conftest import LAST_OLD_DAY, REFORM


def make(code: str, level: str = "commune", kind: str = "phuong", **fields) -> Unit:
    fields.setdefault("name", f"Phường {code}")
    return Unit.objects.create(code=code, level=level, kind=kind, province_code="38", **fields)


@pytest.mark.django_db
def test_on_a_day_gives_the_units_in_force_that_day_inclusive():
    old = make("14758", name="Phường Đông Thọ", valid_to=LAST_OLD_DAY)
    new = make("14758", name="Phường Hàm Rồng", valid_from=REFORM)

    assert list(Unit.objects.on(LAST_OLD_DAY)) == [old]
    assert list(Unit.objects.on(REFORM)) == [new]
    assert list(Unit.objects.on("2030-01-01")) == [new]
    assert list(Unit.objects.on(dt.date(1990, 1, 1))) == [old]  # unknown start
    assert list(Unit.objects.current()) == [new]
    assert list(Unit.objects.all()) == [old, new]  # by code, unknown start first


@pytest.mark.django_db
def test_level_and_province_filters():
    ward = make("14758", valid_from=REFORM)
    other = Unit.objects.create(
        code="26734",
        name="Phường Bến Thành",
        level="commune",
        kind="phuong",
        province_code="79",
        valid_from=REFORM,
    )
    assert list(Unit.objects.level(Level.COMMUNE).in_province("38")) == [ward]
    assert list(Unit.objects.in_province("79")) == [other]
    assert not Unit.objects.level(Level.DISTRICT).exists()


@pytest.mark.django_db
def test_a_code_is_unique_per_level_and_start_even_when_the_start_is_unknown():
    make("14758", valid_to=LAST_OLD_DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        make("14758", valid_to=LAST_OLD_DAY)
    make("14758", valid_from=REFORM)
    with pytest.raises(IntegrityError), transaction.atomic():
        make("14758", valid_from=REFORM)
    # The same code at another level is another unit.
    make("14758", level="department", kind="so")


@pytest.mark.django_db
def test_the_last_day_cannot_come_before_the_first():
    with pytest.raises(IntegrityError), transaction.atomic():
        make("14758", valid_from=REFORM, valid_to=LAST_OLD_DAY)


@pytest.mark.django_db
def test_a_lineage_link_is_unique_and_never_points_to_itself():
    old = make("14755", valid_to=LAST_OLD_DAY)
    new = make("14758", valid_from=REFORM)
    Lineage.objects.create(new=new, old=old, whole=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Lineage.objects.create(new=new, old=old, whole=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Lineage.objects.create(new=new, old=new)
    assert list(new.predecessors()) == [old]
    assert list(Unit.objects.filter(predecessors_links__old=old)) == [new]
    assert list(Unit.objects.filter(predecessors_links__old=new)) == []


def test_validation_refuses_a_kind_from_another_level():
    unit = Unit(
        code="38", name="Tỉnh Thanh Hóa", level="province", kind="phuong", province_code="38"
    )
    with pytest.raises(ValidationError) as error:
        unit.clean()
    assert "kind" in error.value.message_dict


def test_every_field_and_model_has_a_translatable_label():
    for model in (Unit, Lineage):
        assert isinstance(model._meta.verbose_name, Promise)
        assert isinstance(model._meta.verbose_name_plural, Promise)
        for field in model._meta.concrete_fields:
            if field.name != "id":
                assert isinstance(field.verbose_name, Promise), f"{model.__name__}.{field.name}"


def test_the_back_office_lists_searches_and_filters_units(loaded, admin_client):
    page = admin_client.get("/admin/units/unit/", {"q": "Hàm Rồng", "level": "commune"})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 2  # 14755 before the reform, 14758 after
    page = admin_client.get("/admin/units/unit/", {"in_force": "now", "level": "province"})
    assert page.context["cl"].result_count == 34
    ham_rong = Unit.objects.level(Level.COMMUNE).current().get(code="14758")
    assert admin_client.get(f"/admin/units/unit/{ham_rong.pk}/change/").status_code == 200
    assert admin_client.get("/admin/units/lineage/", {"whole__exact": "0"}).status_code == 200
