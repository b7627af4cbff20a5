"""A logistic model pulled towards hand-set prior weights, so few labels cannot overturn it."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.special import expit, log_expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

F64 = npt.NDArray[np.float64]


def _fit_logistic(
    X: F64,
    y: F64,
    weight: F64,
    prior: F64,
    strength: float,
    max_iter: int,
    tol: float,
    start: F64 | None = None,
) -> tuple[F64, int]:
    """Minimise weighted log-loss + strength/2·‖θ − prior‖²; θ = (coef…, intercept)."""
    design = np.hstack([X, np.ones((X.shape[0], 1))])
    total = max(float(weight.sum()), 1e-12)

    def loss(theta: F64) -> tuple[float, F64]:
        z = design @ theta
        # log(1 + e^z) − y·z, with log(1 + e^z) = −log σ(−z), stable at large |z|.
        per_row = -log_expit(-z) - y * z
        residual = expit(z) - y
        diff = theta - prior
        value = float(weight @ per_row) / total + 0.5 * strength * float(diff @ diff) / total
        grad = design.T @ (weight * residual) / total + strength * diff / total
        return value, grad

    result = minimize(
        loss,
        (prior if start is None else start).copy(),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iter, "gtol": tol},
    )
    return np.asarray(result.x, dtype=np.float64), int(result.nit)


class MatchClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Binary classifier on pair features giving calibrated match probabilities.

    Ridge-regularised logistic regression whose penalty pulls the weights towards
    `prior_coef`/`prior_intercept` (hand-set, explainable) instead of towards zero:
    `prior_strength` acts like that many pseudo-observations, so with few labels the prior
    rules and with many the data does. With enough labels of both classes, a Platt step fitted
    on out-of-fold scores recalibrates the probabilities; it is monotone, so it never reorders.
    """

    def __init__(
        self,
        prior_coef: npt.ArrayLike | None = None,
        prior_intercept: float = 0.0,
        prior_strength: float = 1.0,
        calibration: str = "auto",
        min_calibration_labels: int = 200,
        cv: Any = 3,
        max_iter: int = 500,
        tol: float = 1e-7,
        random_state: int | None = None,
    ) -> None:
        self.prior_coef = prior_coef
        self.prior_intercept = prior_intercept
        self.prior_strength = prior_strength
        self.calibration = calibration
        self.min_calibration_labels = min_calibration_labels
        self.cv = cv
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        """Binary only: a pair either leads to investment or it does not."""
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def _prior(self, n_features: int) -> F64:
        if self.prior_coef is None:
            coef = np.zeros(n_features)
        else:
            coef = np.asarray(self.prior_coef, dtype=np.float64).ravel()
            if coef.shape != (n_features,):
                raise ValueError(
                    f"prior_coef has {coef.size} weights but X has {n_features} features"
                )
        return np.append(coef, float(self.prior_intercept))

    def fit(
        self, X: npt.ArrayLike, y: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
    ) -> MatchClassifier:
        """Learn weights (and calibration when labels suffice); returns self."""
        if self.calibration not in {"auto", "sigmoid", "none"}:
            raise ValueError(
                f"calibration={self.calibration!r}; expected 'auto', 'sigmoid' or 'none'"
            )
        if not self.prior_strength > 0:
            raise ValueError(f"prior_strength={self.prior_strength!r}; expected a number > 0")
        data, labels = validate_data(self, X, y, dtype=np.float64, y_numeric=False)
        data = np.asarray(data, dtype=np.float64)
        y_type = type_of_target(labels, input_name="y", raise_unknown=True)
        if y_type not in {"binary", "multiclass"} or len(np.unique(labels)) > 2:
            raise ValueError(
                f"Only binary classification is supported. The type of the target is {y_type}."
            )
        self.classes_ = np.unique(labels)
        if len(self.classes_) < 2:
            raise ValueError(
                f"MatchClassifier needs examples of both classes; y holds one class only "
                f"({self.classes_[0]!r}); add sampled negatives"
            )
        target = (labels == self.classes_[1]).astype(np.float64)
        weight = _check_sample_weight(sample_weight, data, dtype=np.float64)
        prior = self._prior(data.shape[1])
        theta, self.n_iter_ = _fit_logistic(
            data, target, weight, prior, float(self.prior_strength), self.max_iter, self.tol
        )
        self.base_coef_ = theta[:-1]
        self.base_intercept_ = float(theta[-1])
        self.calibration_ = self._calibrate(data, target, weight, prior)
        scale, shift = self.calibration_
        self.coef_ = scale * self.base_coef_
        self.intercept_ = scale * self.base_intercept_ + shift
        return self

    def _calibrate(self, X: F64, y: F64, weight: F64, prior: F64) -> tuple[float, float]:
        """Platt scale and shift from out-of-fold scores; (1, 0) when labels are too few."""
        if isinstance(self.cv, numbers.Integral):
            folds: Any = StratifiedKFold(int(self.cv), shuffle=True, random_state=self.random_state)
        else:
            folds = check_cv(self.cv, y, classifier=True)
        fewest = int(min((y == 1).sum(), (y == 0).sum()))
        enough = fewest >= max(self.min_calibration_labels, folds.get_n_splits())
        if self.calibration == "none" or (self.calibration == "auto" and not enough):
            return 1.0, 0.0
        if fewest < folds.get_n_splits():
            raise ValueError(f"sigmoid calibration needs at least cv={self.cv} of each class")
        scores = np.empty(len(y))
        for train, test in folds.split(X, y):
            theta, _ = _fit_logistic(
                X[train],
                y[train],
                weight[train],
                prior,
                float(self.prior_strength),
                self.max_iter,
                self.tol,
                start=np.append(self.base_coef_, self.base_intercept_),  # a warm start
            )
            scores[test] = X[test] @ theta[:-1] + theta[-1]
        platt, _ = _fit_logistic(
            scores[:, None], y, weight, np.array([1.0, 0.0]), 1e-6, self.max_iter, self.tol
        )
        scale, shift = float(platt[0]), float(platt[1])
        return (scale, shift) if scale > 0 else (1.0, 0.0)  # never reverse the ranking

    def decision_function(self, X: npt.ArrayLike) -> F64:
        """Calibrated log-odds of a positive outcome."""
        check_is_fitted(self)
        data = np.asarray(validate_data(self, X, dtype=np.float64, reset=False))
        return np.asarray(data @ self.coef_ + self.intercept_, dtype=np.float64)

    def predict_proba(self, X: npt.ArrayLike) -> F64:
        """Columns: P(classes_[0]), P(classes_[1])."""
        p = expit(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: npt.ArrayLike) -> npt.NDArray[Any]:
        """The more likely class."""
        check_is_fitted(self)
        return np.asarray(self.classes_[(self.decision_function(X) > 0).astype(int)])
