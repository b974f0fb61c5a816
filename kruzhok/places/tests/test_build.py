"""build_gazetteer reproduces the files shipped in places/data/omsk/."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kruzhok.places.build import DATA_DIR
from kruzhok.places.management.commands.build_gazetteer import DEFAULT_SOURCE

needs_source = pytest.mark.skipif(
    not (DEFAULT_SOURCE / "apartments.csv").is_file(),
    reason=f"the OpenStreetMap extract is not beside the checkout ({DEFAULT_SOURCE})",
)


@needs_source
def test_build_reproduces_the_shipped_files(tmp_path):
    call_command("build_gazetteer", "--source", str(DEFAULT_SOURCE), "--out", str(tmp_path), stdout=None)
    for name in ("houses.csv", "streets.csv"):
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), name


def test_shipped_files_carry_the_odbl_attribution_and_stay_small():
    total = 0
    for name in ("houses.csv", "streets.csv"):
        path = DATA_DIR / name
        assert path.read_text(encoding="utf-8").startswith("# Derived from OpenStreetMap data")
        assert "ODbL" in path.read_text(encoding="utf-8").splitlines()[0]
        total += path.stat().st_size
    assert "ODbL" in (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert total < 1_000_000


def test_build_without_a_source_fails_with_a_clear_message(tmp_path):
    with pytest.raises(CommandError, match="apartments.csv"):
        call_command("build_gazetteer", "--source", str(tmp_path / "missing"), "--out", str(tmp_path))


def test_build_deduplicates_and_skips_other_settlements(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    header = "osm_way_id,lat,lon,name,addr:street,addr:housenumber,addr:postcode,addr:city\n"
    (source / "apartments.csv").write_text(
        header
        + "1,54.99,73.27,,улица Лукашевича,4А,,\n"
        + "2,54.991,73.271,,улица Лукашевича,4а,,\n"  # the same house written differently
        + "3,54.85,73.30,,Тенистая улица,1,,Троицкое\n"
        + "4,55.36,73.22,,улица Полтавцева,6,,Омск\n"  # far outside the city
        + "5,54.98,73.37,,,7,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    call_command("build_gazetteer", "--source", str(source), "--out", str(out), stdout=None)
    rows = [line for line in (out / "houses.csv").read_text(encoding="utf-8").splitlines() if line[0] != "#"]
    assert rows == ["street,house,lat,lon", "улица Лукашевича,4А,54.990000,73.270000"]
    assert (
        Path(out / "streets.csv")
        .read_text(encoding="utf-8")
        .splitlines()[2]
        .startswith("улица Лукашевича,лукашевича,улица,")
    )


def test_street_point_is_the_city_cluster_not_a_village_namesake(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    rows = [f"{n},54.8595,73.29{n},,улица Ленина,{n},," for n in range(1, 6)]  # village, 13 km south
    rows += [f"{n},54.97{n},73.379,,улица Ленина,{n},," for n in range(40, 44)]  # the centre
    (source / "apartments.csv").write_text(
        "osm_way_id,lat,lon,name,addr:street,addr:housenumber,addr:postcode,addr:city\n"
        + "\n".join(rows)
        + "\n",
        encoding="utf-8",
    )
    call_command("build_gazetteer", "--source", str(source), "--out", str(tmp_path / "out"), stdout=None)
    line = (tmp_path / "out" / "streets.csv").read_text(encoding="utf-8").splitlines()[2].split(",")
    assert line[0] == "улица Ленина"
    assert float(line[3]) > 54.97  # the median of the central cluster
    assert line[-1] == "9"
