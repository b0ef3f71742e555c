"""The accurate tier's training code lives outside the package, in scripts/train (run as scripts by
`make accurate-model`); its tests import those modules by name from there."""

from __future__ import annotations

import sys
from pathlib import Path

TRAIN = Path(__file__).resolve().parents[2] / "scripts" / "train"
if TRAIN.is_dir() and str(TRAIN) not in sys.path:
    sys.path.insert(0, str(TRAIN))
