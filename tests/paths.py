"""Where the team's shared material is: beside the checkout (as CI lays it out), or HABEAS_SHARED_DIR."""

from __future__ import annotations

import os
from pathlib import Path


def shared_dir() -> Path:
    if os.environ.get("HABEAS_SHARED_DIR"):
        return Path(os.environ["HABEAS_SHARED_DIR"])
    for candidate in (Path(__file__).resolve().parents[1].parent / "shared", Path("/work/shared")):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the shared/ folder was not found beside the checkout; set HABEAS_SHARED_DIR")


MSE = shared_dir() / "data" / "mse"
