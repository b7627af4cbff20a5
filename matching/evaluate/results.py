"""The published results file: what `python -m matching.evaluate --record` measured, and on what.

The file ships with the library (`PUBLISHED`), so the app's model card can show the quality on
real history without the data. Each run records the settings it measured; `settings_current`
says whether they are still the product's defaults (if not, the figures describe another model).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matching.artefacts import library_version
from matching.config import FEATURES, FeatureConfig, TrainingConfig
from matching.evaluate.data import PLACE_DEPTH

if TYPE_CHECKING:
    from matching.evaluate.protocol import Split
    from matching.evaluate.ranker import Fitted

PUBLISHED = "results.json"  # next to this module


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def settings_of(config: FeatureConfig, training: TrainingConfig) -> dict[str, Any]:
    """Everything that decides the model a run measures, JSON-ready."""
    return {
        "features": config.to_dict(),
        "training": training.to_dict(),
        "feature_names": list(FEATURES),
        "place_depth": PLACE_DEPTH,
    }


def current_settings() -> dict[str, Any]:
    """The product's defaults, as a run records them."""
    return json.loads(json.dumps(settings_of(FeatureConfig(), TrainingConfig())))  # type: ignore[no-any-return]


def run_document(
    *, deals: Path, end: dt.date, split: Split, fitted: Fitted, subsets: dict[str, Any]
) -> dict[str, Any]:
    """One run: the protocol's dates, the data's checksum, the settings, the figures."""
    model = fitted.model
    return {
        "data": {"file": deals.name, "sha256": _sha256(deals)},
        "cutoff": fitted.cutoff.isoformat(),
        "end": end.isoformat(),
        "training_rows": len(split.train),
        "investors": len(split.investors),
        "settings": settings_of(model.config, fitted.training),
        "model": {
            "rows": fitted.run.metrics["rows"],
            "positives": fitted.run.metrics["positives"],
            "weights": model.coef,
            "intercept": model.intercept,
        },
        "subsets": subsets,
        "measured_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "library_version": library_version(),
    }


def record_run(path: str | os.PathLike[str], role: str, document: dict[str, Any]) -> None:
    """Store `document` as the run named `role`, keeping the file's other runs."""
    target = Path(path)
    body: dict[str, Any] = {"runs": {}}
    if target.exists():
        body = json.loads(target.read_text(encoding="utf-8"))
    body.setdefault("runs", {})[role] = document
    target.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def published_results() -> dict[str, Any]:
    """The results file shipped with the library ({"runs": {}} if there is none)."""
    source = resources.files("matching.evaluate").joinpath(PUBLISHED)
    if not source.is_file():
        return {"runs": {}}
    data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return data


def settings_current(run: dict[str, Any]) -> bool:
    """True when the run measured the product's current defaults and features."""
    return bool(run.get("settings") == current_settings())
