"""Artefacts round-trip exactly; anything unusable is an ArtefactError naming file and problem."""

import json

import numpy as np
import pytest

from matching import ArtefactError, list_versions, load_model, prior_model, save_model
from tests.matching.factories import TAXONOMY, investor, venture


@pytest.fixture
def saved(tmp_path):
    model = prior_model(
        TAXONOMY, ventures=[venture(id=1)], investors=[investor(id=2)], version="v1"
    )
    path = save_model(model, tmp_path)
    return model, path


def test_round_trip_keeps_scores_and_metadata(saved, tmp_path):
    model, path = saved
    loaded = load_model(tmp_path, "v1")
    vs, inv = [venture(id=1), venture(id=2, sectors=("ai",))], [investor(id=3), investor(id=4)]
    np.testing.assert_array_equal(
        model.score_pairs(vs, inv).scores, loaded.score_pairs(vs, inv).scores
    )
    assert loaded.metadata.version == "v1"
    assert loaded.metadata.feature_names == model.metadata.feature_names
    assert "scikit-learn" in loaded.metadata.library_version
    assert path.name == "v1"


def test_newest_version_loads_by_default(saved, tmp_path):
    _model, _ = saved
    later = prior_model(TAXONOMY, version="v2")
    save_model(later, tmp_path)
    assert list_versions(tmp_path) == ["v1", "v2"]
    assert load_model(tmp_path).metadata.version == "v2"


def test_an_existing_version_is_never_overwritten(saved, tmp_path):
    model, _ = saved
    with pytest.raises(ArtefactError, match="already exists"):
        save_model(model, tmp_path)


def test_truncated_file_is_reported_as_corrupt(saved):
    _, path = saved
    target = path / "model.json"
    target.write_text(target.read_text()[:100])
    with pytest.raises(ArtefactError, match=r"model\.json: unreadable or corrupt"):
        load_model(path.parent, "v1")


def test_edited_file_fails_the_checksum(saved):
    _, path = saved
    target = path / "model.json"
    body = json.loads(target.read_text())
    body["payload"]["estimator"]["coef"][0] = 99.0
    target.write_text(json.dumps(body))
    with pytest.raises(ArtefactError, match="checksum mismatch"):
        load_model(path.parent, "v1")


def test_other_format_is_incompatible(saved):
    _, path = saved
    target = path / "model.json"
    body = json.loads(target.read_text())
    body["payload"]["format"] = 999
    from matching.artefacts import _checksum

    body["checksum"] = _checksum(body["payload"])
    target.write_text(json.dumps(body))
    with pytest.raises(ArtefactError, match="format 999 is incompatible"):
        load_model(path.parent, "v1")


def test_missing_version_names_the_path(tmp_path):
    with pytest.raises(ArtefactError, match="no saved model versions"):
        load_model(tmp_path)
    with pytest.raises(ArtefactError, match=r"v9.*no such artefact"):
        load_model(tmp_path, "v9")


def test_a_model_saved_with_the_features_before_the_interactions_asks_for_a_retrain(saved):
    from matching.artefacts import _checksum
    from matching.config import FEATURES, INTERACTIONS

    _, path = saved
    target = path / "model.json"
    body = json.loads(target.read_text())
    older = [name for name in FEATURES if name not in INTERACTIONS]
    body["payload"]["metadata"]["feature_names"] = older
    body["payload"]["estimator"]["coef"] = body["payload"]["estimator"]["coef"][: len(older)]
    body["checksum"] = _checksum(body["payload"])
    target.write_text(json.dumps(body))
    with pytest.raises(ArtefactError, match="trained on other features; retrain"):
        load_model(path.parent, "v1")
