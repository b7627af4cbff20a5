"""Explainable venture–investor matching: features, ranking, learning and evaluation."""

from matching.artefacts import list_versions, load_model, save_model
from matching.config import FEATURE_GROUPS, FEATURES, FeatureConfig
from matching.errors import ArtefactError, InputError, MatchingError
from matching.estimator import MatchClassifier
from matching.frames import HistoryFrame, InvestorFrame, VentureFrame
from matching.model import MatchModel, ModelMetadata, ScoreMatrix
from matching.pool import InvestorPool
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
from matching.training import prior_model, train_model

__all__ = [
    "FEATURES",
    "FEATURE_GROUPS",
    "ArtefactError",
    "DealRecord",
    "FeatureConfig",
    "Hint",
    "HistoryFrame",
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
    "VentureFrame",
    "VentureRecord",
    "list_versions",
    "load_model",
    "merge_topk",
    "prior_model",
    "save_model",
    "train_model",
]
