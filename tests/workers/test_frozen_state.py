"""`refreeze_if_replaced`: a worker's scoring state is frozen out of the collector's way, and
what a replaced context leaves in reference cycles is still collected."""

from __future__ import annotations

import gc
import random
import weakref
from collections.abc import Iterator

import pytest
from sqlmodel import Session

from tests.workers.builders import market
from webapp.config import Settings
from webapp.services.ranking import scoring_cache
from workers import frozen_state


class Node:
    """An object in a reference cycle with itself: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.itself = self


@pytest.fixture
def clean_freeze() -> Iterator[None]:
    gc.unfreeze()
    frozen_state._frozen_at = None
    yield
    gc.unfreeze()
    frozen_state._frozen_at = None


def test_it_freezes_once_per_context_and_lets_a_replaced_contexts_cycles_go(
    session: Session, settings: Settings, clean_freeze: None
) -> None:
    market(random.Random(43), ventures=6, investors=4)
    scoring_cache.scoring_context(session=session, settings=settings)
    assert frozen_state.refreeze_if_replaced()
    assert gc.get_freeze_count() > 0
    assert not frozen_state.refreeze_if_replaced()  # same context: nothing to do

    kept_by_old_context = Node()
    cycle = weakref.ref(kept_by_old_context)
    scoring_cache.forget()  # the context is replaced ...
    scoring_cache.scoring_context(session=session, settings=settings)
    assert frozen_state.refreeze_if_replaced()  # ... and what is alive now is frozen
    del kept_by_old_context
    gc.collect()
    assert cycle() is not None  # frozen: the collector does not see it

    scoring_cache.forget()  # the next replacement
    scoring_cache.scoring_context(session=session, settings=settings)
    assert frozen_state.refreeze_if_replaced()
    assert cycle() is None  # unfrozen and collected before the new freeze


def test_the_generation_moves_only_when_the_context_changes(
    session: Session, settings: Settings
) -> None:
    market(random.Random(44), ventures=6, investors=4)
    scoring_cache.forget()
    before = scoring_cache.generation()
    scoring_cache.forget()  # nothing cached to drop
    assert scoring_cache.generation() == before
    scoring_cache.scoring_context(session=session, settings=settings)
    built = scoring_cache.generation()
    assert built != before
    scoring_cache.scoring_context(session=session, settings=settings)  # still current
    assert scoring_cache.generation() == built
