"""Deal stages and closing reasons in words: one wording for notices, digests, pages and the API."""

from __future__ import annotations

from webapp.models.enums import DealClosedReason, DealStage

CLOSED_REASON_LABELS: dict[str, str] = {
    DealClosedReason.VENTURE_ERASED.value: "The founder erased the venture",
    DealClosedReason.FOUNDER_ERASED.value: "The founder erased their account and the venture",
    DealClosedReason.INVESTOR_ERASED.value: "The investor's last member erased their account",
}

# What the side that moved a deal did, as the other side reads it ("Tyne Dx …").
_MOVES: dict[str, str] = {
    DealStage.IN_CONVERSATION.value: "moved the deal to in conversation",
    DealStage.DUE_DILIGENCE.value: "moved the deal to due diligence",
    DealStage.TERM_SHEET.value: "moved the deal to term sheet",
    DealStage.INVESTED.value: "marked the deal as invested",
    DealStage.PASSED.value: "passed on the deal",
    DealStage.WITHDRAWN.value: "withdrew from the deal",
}


def stage_words(stage: str) -> str:
    """A deal stage or introduction status in words: `due_diligence` → `Due diligence`."""
    return stage.replace("_", " ").capitalize()


def closed_reason_label(reason: str | None) -> str | None:
    """Why a deal closed, in a sentence; None when a party closed it themselves."""
    if reason is None:
        return None
    return CLOSED_REASON_LABELS.get(reason, stage_words(reason))


def move_phrase(stage: str) -> str:
    """The verb phrase for a move to `stage`, after the mover's name."""
    return _MOVES.get(stage, f"moved the deal to {stage_words(stage).lower()}")
