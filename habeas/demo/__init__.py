"""The demo dataset: the facts of Amnesty International's 2013 briefing on Kazakhstan."""

from __future__ import annotations

from pathlib import Path

DATA_FILE = Path(__file__).with_name("old_habits_2013.yaml")
DEMO_USER = "demo"
DEMO_PASSWORD = "habeas-demo"
