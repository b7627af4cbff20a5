"""The estimator follows scikit-learn's conventions (checked by scikit-learn itself)."""

import numpy as np
from sklearn.utils.estimator_checks import parametrize_with_checks

from matching.estimator import MatchClassifier


@parametrize_with_checks([MatchClassifier(), MatchClassifier(calibration="none")])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def test_same_seed_same_weights():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 4))
    y = (X[:, 0] + rng.normal(size=600) > 0).astype(int)
    a = MatchClassifier(random_state=3, min_calibration_labels=50).fit(X, y)
    b = MatchClassifier(random_state=3, min_calibration_labels=50).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert a.intercept_ == b.intercept_
