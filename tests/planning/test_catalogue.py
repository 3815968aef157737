"""The intervention catalogue: the bundled types, user files, and every problem of a bad one."""

from __future__ import annotations

import pytest

from hotspots import InputFileError
from hotspots.planning.catalogue import DEFAULT_CATALOGUE_PATH
from hotspots.planning.catalogue import load_catalogue
from hotspots.schema import POLICE_UK_CATEGORIES

EXPECTED_TYPES = {"cctv", "redeployable_cctv", "street_lighting", "anpr", "alley_gates",
                  "target_hardening", "guardianship"}


def test_catalogue_has_every_type_with_valid_fields() -> None:
    catalogue = load_catalogue()
    assert set(catalogue) == EXPECTED_TYPES
    for key, kind in catalogue.items():
        assert kind.key == key
        assert kind.categories, key
        assert set(kind.categories) <= set(POLICE_UK_CATEGORIES), key
        assert 0 <= kind.effect_low <= kind.effect <= kind.effect_high < 1, key
        assert kind.geometry_kind in ("point", "line", "polygon")
        assert kind.unit_cost > 0 and kind.cost_unit, key
        assert len(kind.source) > 80 and kind.range_basis and kind.note, key
        assert "indicative" in kind.note.lower(), f"{key}: costs must be flagged indicative"


def test_catalogue_effects_and_sources_match_the_evidence() -> None:
    cat = load_catalogue()
    assert (cat["anpr"].effect, cat["anpr"].effect_low, cat["anpr"].effect_high) == (0, 0, 0)
    assert "CrimeSolutions" in cat["anpr"].source
    assert cat["cctv"].effect == pytest.approx(0.13) and "Piza" in cat["cctv"].source
    assert "Violence and sexual offences" not in cat["cctv"].categories
    assert "car parks" in cat["cctv"].source
    assert cat["street_lighting"].effect == pytest.approx(0.21)
    assert "Welsh" in cat["street_lighting"].source
    assert cat["alley_gates"].effect == pytest.approx(0.37)
    assert cat["alley_gates"].categories == ("Burglary",)
    assert "Bowers" in cat["alley_gates"].source
    assert "Tseloni" in cat["target_hardening"].source
    assert "window locks" in cat["target_hardening"].source
    assert "Braga" in cat["guardianship"].source
    for key in ("redeployable_cctv", "guardianship"):
        assert cat[key].evidence == "planning assumption"
    # geometry kinds the app offers as drawing tools
    assert cat["street_lighting"].geometry_kind == "line"
    assert cat["cctv"].geometry_kind == "point"
    assert cat["target_hardening"].geometry_kind == "polygon"


def test_user_catalogue_adds_and_replaces_types(tmp_path) -> None:
    user = tmp_path / "local.toml"
    user.write_text(
        '[types.cctv]\nlabel = "CCTV (our costs)"\ngeometry = "point"\nradius_m = 80\n'
        'categories = ["Vehicle crime"]\neffect = 0.1\nsource = "local evaluation"\n'
        'unit_cost = 9000\ncost_unit = "camera"\n'
        '[types.car_park_cctv]\nlabel = "Car park CCTV"\ngeometry = "polygon"\n'
        'categories = ["Vehicle crime"]\neffect = 0.3\neffect_low = 0.2\neffect_high = 0.4\n'
        'source = "x"\nunit_cost = 1\ncost_unit = "camera"\nevidence = "single evaluation"\n',
        encoding="utf-8",
    )
    cat = load_catalogue(user)
    assert set(cat) == EXPECTED_TYPES | {"car_park_cctv"}
    assert cat["cctv"].label == "CCTV (our costs)" and cat["cctv"].unit_cost == 9000
    assert cat["cctv"].effect_low == cat["cctv"].effect_high == 0.1
    assert load_catalogue()["cctv"].unit_cost == 20000  # bundled file untouched


def test_bad_catalogue_lists_every_problem(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[types.odd]\nlabel = "Odd"\ngeometry = "blob"\ncategories = ["Burglarly"]\n'
        'effect = 1.2\nsource = "s"\nunit_cost = -3\ncost_unit = "x"\ncolour = "red"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputFileError) as err:
        load_catalogue(bad)
    text = str(err.value)
    assert text.startswith(f"Intervention catalogue {str(bad)!r} has 5 problems:")
    for fragment in ("'types.odd.geometry': input should be 'point', 'line' or 'polygon'; "
                     "got 'blob'",
                     "'types.odd.categories[0]': input should be 'Anti-social behaviour'",
                     "got 'Burglarly'",
                     "'types.odd.effect': input should be less than 1; got 1.2",
                     "'types.odd.unit_cost': input should be greater than or equal to 0; got -3",
                     "'types.odd.colour' is not a known key"):
        assert fragment in text
    missing = tmp_path / "none.toml"
    with pytest.raises(InputFileError, match="does not exist"):
        load_catalogue(missing)
    broken = tmp_path / "broken.toml"
    broken.write_text("[types.x\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="not valid TOML"):
        load_catalogue(broken)


def test_default_catalogue_path_is_bundled() -> None:
    assert DEFAULT_CATALOGUE_PATH.name == "interventions.toml"
    assert DEFAULT_CATALOGUE_PATH.is_file()


def test_domain_rules_are_listed_with_the_other_problems(tmp_path) -> None:
    bad = tmp_path / "rules.toml"
    bad.write_text(
        '[types.a]\nlabel = "A"\ngeometry = "point"\ncategories = ["Burglary"]\n'
        'effect = 0.2\neffect_low = 0.3\neffect_high = 0.1\nsource = "s"\nunit_cost = 3\n'
        'cost_unit = "x"\n'
        '[types.b]\nlabel = "B"\ngeometry = "line"\ncategories = ["Burglary"]\n'
        'effect = true\nsource = "s"\nunit_cost = nan\ncost_unit = "x"\nevidence = "vibes"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputFileError) as err:
        load_catalogue(bad)
    text = str(err.value)
    assert "has 7 problems" in text
    for fragment in ("'types.a.radius_m': a point type needs radius_m > 0; got None",
                     "'types.a.effect_low': must not be above effect (0.2); got 0.3",
                     "'types.a.effect_high': must not be below effect (0.2); got 0.1",
                     "'types.b.width_m': a line type needs width_m > 0; got None",
                     "'types.b.effect': input should be a valid number; got True",
                     "'types.b.evidence': input should be 'systematic review'",
                     "'types.b.unit_cost': input should be a finite number; got nan"):
        assert fragment in text
    no_types = tmp_path / "empty.toml"
    no_types.write_text("types = 3\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"no \[types.<key>\] tables"):
        load_catalogue(no_types)

