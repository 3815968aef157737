"""Crime groups and harm weights: the data files, user overrides, and apply_harm."""

from __future__ import annotations

import pytest

from hotspots.errors import InputFileError
from hotspots.errors import ParameterError
from hotspots.groups import EXAMPLE_HARM_WEIGHTS_PATH
from hotspots.groups import CrimeGroup
from hotspots.groups import apply_harm
from hotspots.groups import get_group
from hotspots.groups import load_groups
from hotspots.groups import load_harm_weights
from hotspots.schema import POLICE_UK_CATEGORIES

EXPECTED = {
    "neighbourhood": {"Burglary", "Robbery", "Theft from the person", "Vehicle crime"},
    "vawg": {"Violence and sexual offences", "Public order"},
    "serious_violence": {"Violence and sexual offences", "Possession of weapons", "Robbery"},
    "victim_based": set(POLICE_UK_CATEGORIES) - {
        "Drugs", "Possession of weapons", "Public order", "Other crime", "Anti-social behaviour"
    },
    "asb": {"Anti-social behaviour"},
}


def test_default_groups_match_the_design():
    groups = load_groups()
    assert set(groups) == {*EXPECTED, "all"}
    for key, categories in EXPECTED.items():
        assert set(groups[key].categories) == categories, key
        assert groups[key].key == key
    assert len(groups["victim_based"].categories) == 9
    assert groups["all"].matches_all
    assert groups["vawg"].sensitive
    assert not any(g.sensitive for k, g in groups.items() if k != "vawg")
    assert "proxy" in groups["neighbourhood"].note
    assert "business" in groups["neighbourhood"].note


def test_every_default_category_is_a_police_uk_category():
    for group in load_groups().values():
        assert group.label and group.source, group.key
        if group.matches_all:
            assert group.categories == ("*",)
            continue
        unknown = set(group.categories) - set(POLICE_UK_CATEGORIES)
        assert not unknown, f"{group.key}: {unknown}"


def test_unknown_group_lists_the_keys():
    with pytest.raises(ParameterError) as err:
        get_group("burglaries")
    message = str(err.value)
    assert "'burglaries'" in message
    for key in ("neighbourhood", "vawg", "serious_violence", "victim_based", "asb", "all"):
        assert key in message


def test_get_group_is_forgiving_about_spelling():
    assert get_group("Victim-Based").key == "victim_based"
    group = get_group("asb")
    assert get_group(group) is group


def test_user_file_adds_and_overrides(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        '[groups.neighbourhood]\n'
        'label = "Residential burglary only"\n'
        'categories = ["Burglary"]\n'
        'source = "Our force plan"\n'
        '\n'
        '[groups.domestic-abuse]\n'
        'label = "Domestic abuse"\n'
        'flags = ["domestic_abuse"]\n'
        'sensitive = true\n'
    )
    groups = load_groups(path)
    assert groups["neighbourhood"].categories == ("Burglary",)
    assert groups["neighbourhood"].label == "Residential burglary only"
    assert groups["domestic_abuse"].flags == ("domestic_abuse",)
    assert groups["domestic_abuse"].sensitive
    assert groups["vawg"] == load_groups()["vawg"]  # untouched defaults stay
    assert load_groups()["neighbourhood"].categories != ("Burglary",)  # defaults not changed


def test_bad_user_file_lists_problems(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[groups.x]\nlabel = "X"\ncolour = "red"\nsensitive = "yes"\n')
    with pytest.raises(InputFileError) as err:
        load_groups(path)
    message = str(err.value)
    assert "bad.toml' has 3 problems" in message
    assert "'groups.x.colour': is not a known key; allowed: label, categories," in message
    assert "'groups.x': selects no crimes: give categories (or offence_codes or flags)" in message
    assert "'groups.x.sensitive': input should be a valid boolean; got 'yes'" in message
    with pytest.raises(InputFileError, match="does not exist"):
        load_groups(tmp_path / "missing.toml")


def test_groups_file_without_groups_and_values_of_the_wrong_type(tmp_path):
    empty = tmp_path / "empty.toml"
    empty.write_text('[meta]\nauthor = "us"\n')
    with pytest.raises(InputFileError, match=r"'groups': there are no \[groups.<key>\] tables"):
        load_groups(empty)
    typed = tmp_path / "typed.toml"
    typed.write_text('[groups.a]\ncategories = ["Burglary", 4]\n[groups.b]\nlabel = 5\n'
                     'categories = "Robbery"\n')
    with pytest.raises(InputFileError) as err:
        load_groups(typed)
    message = str(err.value)
    assert "'groups.a.categories[1]': input should be a valid string; got 4" in message
    assert "'groups.b.label': input should be a valid string; got 5" in message


def test_groups_file_forms_accepted_as_before(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[meta]\nauthor = "us"\n\n'  # other tables are left alone
                    '[groups."Night Time"]\ncategories = " Robbery "\n'
                    'offence_codes = ["8Q", " "]\n')
    group = load_groups(path)["night_time"]
    assert (group.label, group.categories, group.offence_codes) == (
        "Night Time", ("Robbery",), ("8Q",))
    assert not group.sensitive and group.note == "" and group.flags == ()


def test_example_harm_weights_are_labelled_illustrative(caplog):
    text = EXAMPLE_HARM_WEIGHTS_PATH.read_text()
    assert "ILLUSTRATIVE" in text and "NOT OFFICIAL" in text
    with caplog.at_level("WARNING"):
        weights = load_harm_weights()
    assert "illustrative" in caplog.text
    assert set(weights) == set(POLICE_UK_CATEGORIES)
    assert all(w >= 0 for w in weights.values())


def test_user_harm_weights_and_errors(tmp_path):
    good = tmp_path / "w.csv"
    good.write_text("category,weight\nBurglary,3\nRobbery, 7.5\n")
    assert load_harm_weights(good) == {"Burglary": 3.0, "Robbery": 7.5}
    bad = tmp_path / "bad.csv"
    bad.write_text("category,weight\nBurglary,lots\nRobbery,-1\nRobbery,2\nRobbery,3\n")
    with pytest.raises(InputFileError) as err:
        load_harm_weights(bad)
    message = str(err.value)
    assert "'lots'" in message and "'-1'" in message and "appears twice" in message
    cols = tmp_path / "cols.csv"
    cols.write_text("type,score\nBurglary,1\n")
    with pytest.raises(InputFileError, match="needs columns 'category' and 'weight'"):
        load_harm_weights(cols)


def test_apply_harm_copies_and_states_weights(small_crimes):
    before = small_crimes.copy()
    weights = load_harm_weights()
    weighted = apply_harm(small_crimes, weights)
    assert weighted is not small_crimes
    assert (small_crimes["weight"] == 1.0).all()
    assert small_crimes.equals(before)
    expected = small_crimes["category"].map(weights).tolist()
    assert weighted["weight"].tolist() == expected
    assert weighted.attrs["harm_weights"] == weights
    # Planted: 4 burglaries, 2 robberies, 1 drugs, 2 vehicle, 2 ASB, 1 violence.
    w = weights
    expected_total = (4 * w["Burglary"] + 2 * w["Robbery"] + w["Drugs"]
                      + 2 * w["Vehicle crime"] + 2 * w["Anti-social behaviour"]
                      + w["Violence and sexual offences"])
    assert weighted["weight"].sum() == pytest.approx(expected_total)


def test_apply_harm_missing_category(small_crimes):
    with pytest.raises(ParameterError, match=r"no weight for: .*'Burglary' \(4 rows\)"):
        apply_harm(small_crimes, {"Robbery": 2.0})
    weighted = apply_harm(small_crimes, {"Robbery": 2.0}, default=0.5)
    assert weighted["weight"].sum() == pytest.approx(2 * 2.0 + 10 * 0.5)
    assert weighted.attrs["harm_weights"]["(any other category)"] == 0.5


def test_crime_group_is_frozen():
    group = CrimeGroup("k", "K", ("Burglary",), False, "", "")
    with pytest.raises(AttributeError):
        group.key = "other"  # type: ignore[misc]
