"""Save and load models by version as checksummed JSON (no pickle: loading runs no code)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import sklearn

from matching.config import FEATURES, FeatureConfig
from matching.errors import ArtefactError
from matching.estimator import MatchClassifier
from matching.model import MatchModel, ModelMetadata
from matching.taxonomy import Taxonomy
from matching.text import TextVectoriser

FORMAT = 1  # bump when the layout or the meaning of a feature changes
FILE = "model.json"
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def library_version() -> str:
    """What wrote an artefact, recorded in its metadata."""
    return f"matching-format-{FORMAT} scikit-learn-{sklearn.__version__} numpy-{np.__version__}"


def _estimator_state(est: MatchClassifier) -> dict[str, Any]:
    params = est.get_params()
    if params["prior_coef"] is not None:
        params["prior_coef"] = np.asarray(params["prior_coef"], dtype=float).tolist()
    if not isinstance(params["cv"], int):
        params["cv"] = 3  # a splitter object is a training-time detail
    return {
        "params": params,
        "classes": np.asarray(est.classes_).tolist(),
        "coef": est.coef_.tolist(),
        "intercept": est.intercept_,
        "base_coef": est.base_coef_.tolist(),
        "base_intercept": est.base_intercept_,
        "calibration": list(est.calibration_),
        "n_iter": est.n_iter_,
    }


def _estimator_from(state: dict[str, Any]) -> MatchClassifier:
    est = MatchClassifier(**state["params"])
    est.classes_ = np.asarray(state["classes"])
    est.coef_ = np.asarray(state["coef"], dtype=np.float64)
    est.intercept_ = float(state["intercept"])
    est.base_coef_ = np.asarray(state["base_coef"], dtype=np.float64)
    est.base_intercept_ = float(state["base_intercept"])
    scale, shift = state["calibration"]
    est.calibration_ = (float(scale), float(shift))
    est.n_iter_ = int(state["n_iter"])
    est.n_features_in_ = len(est.coef_)
    if est.coef_.shape != (len(FEATURES),):
        raise ValueError(f"estimator has {est.coef_.size} weights for {len(FEATURES)} features")
    return est


def _checksum(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def save_model(model: MatchModel, model_dir: str | os.PathLike[str]) -> Path:
    """Write model_dir/<version>/model.json atomically; an existing version is never replaced."""
    version = model.metadata.version
    if not _VERSION.match(version):
        raise ArtefactError(f"version {version!r}: use letters, digits, '.', '_' or '-'")
    root = Path(model_dir)
    target = root / version
    if target.exists():
        raise ArtefactError(f"{target}: version {version!r} already exists; choose a new version")
    meta = model.metadata
    payload = {
        "format": FORMAT,
        "metadata": {
            "version": version,
            "trained_at": meta.trained_at,
            "training_size": meta.training_size,
            "metrics": dict(meta.metrics),
            "feature_names": list(meta.feature_names),
            "library_version": meta.library_version or library_version(),
        },
        "config": model.config.to_dict(),
        "taxonomy": model.taxonomy.to_dict(),
        "vectoriser": model.vectoriser.to_dict(),
        "estimator": _estimator_state(model.estimator),
    }
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=root))
    try:
        body = {"checksum": _checksum(payload), "payload": payload}
        (staging / FILE).write_text(json.dumps(body), encoding="utf-8")
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def list_versions(model_dir: str | os.PathLike[str]) -> list[str]:
    """Saved versions, oldest first (versions sort by name; timestamps sort by time)."""
    root = Path(model_dir)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / FILE).is_file() and _VERSION.match(p.name))


def load_model(model_dir: str | os.PathLike[str], version: str | None = None) -> MatchModel:
    """Load one version (default: newest); anything unusable raises `ArtefactError`."""
    if version is None:
        versions = list_versions(model_dir)
        if not versions:
            raise ArtefactError(f"{model_dir}: no saved model versions")
        version = versions[-1]
    path = Path(model_dir) / version / FILE
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtefactError(f"{path}: no such artefact (version {version!r})") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtefactError(f"{path}: unreadable or corrupt ({exc})") from None
    if not isinstance(body, dict) or "payload" not in body or "checksum" not in body:
        raise ArtefactError(f"{path}: not a matching artefact (no payload/checksum)")
    payload = body["payload"]
    if _checksum(payload) != body["checksum"]:
        raise ArtefactError(f"{path}: checksum mismatch; the file is corrupt or was edited")
    if payload.get("format") != FORMAT:
        raise ArtefactError(
            f"{path}: artefact format {payload.get('format')!r} is incompatible with "
            f"this library (format {FORMAT}); retrain the model"
        )
    meta = payload["metadata"]
    if tuple(meta["feature_names"]) != FEATURES:
        raise ArtefactError(f"{path}: trained on other features; retrain the model")
    try:
        return MatchModel(
            taxonomy=Taxonomy.from_dict(payload["taxonomy"]),
            estimator=_estimator_from(payload["estimator"]),
            vectoriser=TextVectoriser.from_dict(payload["vectoriser"]),
            config=FeatureConfig.from_dict(payload["config"]),
            metadata=ModelMetadata(
                version=meta["version"],
                trained_at=meta["trained_at"],
                training_size=int(meta["training_size"]),
                metrics={k: float(v) for k, v in meta["metrics"].items()},
                feature_names=tuple(meta["feature_names"]),
                library_version=meta["library_version"],
            ),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ArtefactError(f"{path}: incomplete or malformed artefact ({exc!r})") from None
