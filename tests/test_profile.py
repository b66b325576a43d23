"""Program profiles: validation with clear messages, and features recognised in the mission."""

from __future__ import annotations

import pytest

from interview.errors import InterviewError, ProfileError
from interview.profile import FEATURES, features_in_text, make_profile, neutral_profile


def test_valid_profile_and_display_names():
    p = make_profile(name="  Prairie Family Medicine ", country="Canada", region="SK", city="Regina",
                     specialty="Family Medicine", features=["rural", "ROS"])
    assert p.name == "Prairie Family Medicine"
    assert p.country == "ca" and p.country_name == "Canada"
    assert p.region_name == "Saskatchewan" and p.specialty == "family_medicine"
    assert p.features == ["rural", "return_of_service"]
    ctx = p.template_context()
    assert ctx["name"] == "Prairie Family Medicine" and ctx["region"] == "Saskatchewan"
    assert ctx["specialty"] == "Family Medicine" and ctx["city"] == "Regina"


def test_unknown_country_is_a_clear_error():
    with pytest.raises(ProfileError) as err:
        make_profile(name="X", country="uk")
    msg = str(err.value)
    assert "country" in msg and "unknown country 'uk'" in msg and "'us'" in msg and "'ca'" in msg
    assert isinstance(err.value, InterviewError)


def test_unknown_feature_lists_known_features():
    with pytest.raises(ProfileError, match=r"features: unknown feature 'golf'; known features: .*research"):
        make_profile(name="X", country="us", features=["research", "golf"])


def test_missing_or_empty_name():
    with pytest.raises(ProfileError, match="name: is required"):
        make_profile(country="us")
    with pytest.raises(ProfileError, match="name: must not be empty"):
        make_profile(name="   ", country="us")


def test_unknown_specialty_and_unknown_field():
    with pytest.raises(ProfileError, match="unknown specialty 'dentistry'"):
        make_profile(name="X", country="us", specialty="dentistry")
    with pytest.raises(ProfileError, match="colour"):
        make_profile(name="X", country="us", colour="blue")


def test_several_problems_reported_together():
    with pytest.raises(ProfileError) as err:
        make_profile(name="", country="mars", features=["golf"])
    msg = str(err.value)
    assert "name" in msg and "country" in msg and "features" in msg


@pytest.mark.parametrize("mission, expected", [
    ("Our program trains physicians for rural and remote communities of northern Ontario.", {"rural", "remote"}),
    ("A safety-net hospital serving underserved, inner-city patients.", {"underserved"}),
    ("We partner with First Nations and Métis communities.", {"indigenous_health"}),
    ("Residents sign a return-of-service agreement.", {"return_of_service"}),
    ("We welcome international medical graduates and sponsor J-1 and H-1B visas.", {"img_friendly", "visa_j1", "visa_h1b"}),
    ("A university program devoted to research and medical education.", {"academic", "research", "teaching"}),
])
def test_features_recognised_in_mission(mission, expected):
    assert expected <= set(features_in_text(mission))
    profile = make_profile(name="M", country="ca", mission=mission, features=["francophone"])
    assert profile.features == ["francophone"]
    assert profile.all_features[0] == "francophone"
    assert expected <= set(profile.all_features)


def test_no_false_features_in_plain_mission():
    assert features_in_text("We provide excellent patient care in a friendly environment.") == []
    # words must match whole: "researcher" is not a phrase, "research" alone is
    assert "rural" not in features_in_text("plural interests")


def test_feature_aliases_and_comma_separated():
    p = make_profile(name="X", country="us", features="J-1, h1b, img")
    assert p.features == ["visa_j1", "visa_h1b", "img_friendly"]
    assert all(f in FEATURES for f in p.features)


def test_neutral_profile():
    p = neutral_profile("ca")
    assert p.name == "this program" and p.country == "ca" and p.all_features == []
    assert p.template_context()["region"] == "your province"
    assert neutral_profile("us").template_context()["region"] == "your state"
