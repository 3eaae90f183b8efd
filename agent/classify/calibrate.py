"""A small multinomial logistic regression (numpy): turns similarity features into
probabilities that mean something. Trained on leave-one-out features of the examples."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


def _softmax(z: Array) -> Array:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: Array = e / e.sum(axis=1, keepdims=True)
    return out


@dataclass
class LogisticModel:
    weights: Array  # (features + 1) × classes
    mean: Array
    scale: Array
    temperature: float = 1.0  # < 1 sharpens what regularisation left too soft

    def logits(self, x: Array) -> Array:
        z = (x - self.mean) / self.scale
        z = np.hstack([z, np.ones((z.shape[0], 1))])
        out: Array = z @ self.weights
        return out

    def predict(self, x: Array) -> Array:
        return _softmax(self.logits(x) / self.temperature)


def fit(x: Array, y: npt.NDArray[np.int64], classes: int, l2: float = 1.0,
        steps: int = 800, lr: float = 0.5, temperature: float = 1.0) -> LogisticModel:
    """Full-batch gradient descent on cross-entropy + L2 (the bias is not penalised)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((x.shape[0], 1))])
    onehot = np.eye(classes)[y]
    w = np.zeros((z.shape[1], classes))
    n = z.shape[0]
    penalty = np.ones_like(w)
    penalty[-1] = 0.0
    for _ in range(steps):
        p = _softmax(z @ w)
        grad = z.T @ (p - onehot) / n + l2 * penalty * w / n
        w -= lr * grad
    return LogisticModel(weights=w, mean=mean, scale=scale, temperature=temperature)
