"""Shares of a whole: counts and amounts split in proportion, adding up exactly."""

import numpy as np


def allocate(weights: list[float], total: int, minimum: int) -> list[int]:
    """Returns counts proportional to weights, each at least `minimum`, summing to `total`."""
    spare = total - minimum * len(weights)
    if spare < 0:
        raise ValueError(f"{total} cannot give {len(weights)} parts {minimum} each")
    shares = np.asarray(weights, dtype=float) / sum(weights) * spare
    counts = np.floor(shares).astype(int)
    # Largest remainders take the units that flooring left over.
    for i in np.argsort(-(shares - counts), kind="stable")[: spare - counts.sum()]:
        counts[i] += 1
    return [int(c) + minimum for c in counts]
