"""Distances on the Earth's surface, for "far from home"."""

from __future__ import annotations

from geographiclib.geodesic import Geodesic


def geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The shortest distance over the WGS84 ellipsoid, in kilometres (Karney's algorithm)."""
    return float(Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"]) / 1000
