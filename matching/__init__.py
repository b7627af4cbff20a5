"""Explainable venture–investor matching: features, ranking, learning and evaluation."""

from matching.artefacts import list_versions, load_model, save_model
from matching.config import FEATURE_GROUPS, FEATURE_LABELS, FEATURES, FeatureConfig, TrainingConfig
from matching.errors import ArtefactError, InputError, MatchingError
from matching.estimator import MatchClassifier
from matching.frames import HistoryFrame, InvestorFrame, VentureFrame
from matching.model import MatchModel, ModelMetadata, ScoreMatrix
from matching.pool import InvestorPool
from matching.prior import PRIOR_INTERCEPT, PRIOR_WEIGHTS
from matching.records import (
    DealRecord,
    Hint,
    InvestorRecord,
    Outcome,
    Ranked,
    Reason,
    Syndicate,
    VentureRecord,
)
from matching.taxonomy import Taxonomy
from matching.topk import TopK, merge_topk
from matching.training import TrainingRun, prior_model, train_and_validate, train_model
from matching.windows import Holdout

__all__ = [
    "FEATURES",
    "FEATURE_GROUPS",
    "FEATURE_LABELS",
    "PRIOR_INTERCEPT",
    "PRIOR_WEIGHTS",
    "ArtefactError",
    "DealRecord",
    "FeatureConfig",
    "Hint",
    "HistoryFrame",
    "Holdout",
    "InputError",
    "InvestorFrame",
    "InvestorPool",
    "InvestorRecord",
    "MatchClassifier",
    "MatchModel",
    "MatchingError",
    "ModelMetadata",
    "Outcome",
    "Ranked",
    "Reason",
    "ScoreMatrix",
    "Syndicate",
    "Taxonomy",
    "TopK",
    "TrainingConfig",
    "TrainingRun",
    "VentureFrame",
    "VentureRecord",
    "list_versions",
    "load_model",
    "merge_topk",
    "prior_model",
    "save_model",
    "train_and_validate",
    "train_model",
]
