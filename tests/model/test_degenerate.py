"""With one kind, one side, no workshops, novelty 0, no forgetting and no ripeness, the model is
textbook diffusion: a discrete-time SI process (advocacy span infinite) or an independent cascade
(advocacy span 1)."""

from __future__ import annotations

import numpy as np
from scipy import optimize, stats
from scipy.sparse.csgraph import breadth_first_order
from tracktwo.model import TrackTwoModel, simulate


def test_si_one_step_adoption_probability_is_exact(degenerate):
    """A susceptible with m holding neighbours adopts with probability 1 - (1 - p)^m."""
    p = 0.15
    by_m_trials, by_m_adopted = np.zeros(8), np.zeros(8)
    for seed in range(4):
        model = TrackTwoModel(degenerate(n=4000, mean_degree=6, p=p, span=None, holders=200, steps=6), seed=seed)
        for _ in range(5):
            held = model.ideas.holds[:, 0].copy()
            m = model.ties @ held.astype(np.int64)
            model.step()
            now = model.ideas.holds[:, 0]
            susceptible = ~held
            for k in range(1, 8):
                at_k = susceptible & (m == k)
                by_m_trials[k] += at_k.sum()
                by_m_adopted[k] += now[at_k].sum()
            assert not now[susceptible & (m == 0)].any()  # no neighbour holding, no adoption
    for k in range(1, 5):
        expected = 1 - (1 - p) ** k
        test = stats.binomtest(int(by_m_adopted[k]), int(by_m_trials[k]), expected)
        assert test.pvalue > 0.001, (k, by_m_adopted[k] / by_m_trials[k], expected, by_m_trials[k])


def test_si_follows_the_mean_field_recursion_early_on(degenerate):
    """On a large sparse Erdos-Renyi graph, i(t+1) = i(t) + (1 - i(t)) (1 - exp(-z p i(t))) for early steps."""
    n, z, p, steps = 20_000, 8.0, 0.05, 6
    curves = []
    for seed in range(3):
        timeseries = simulate(
            degenerate(n=n, mean_degree=z, p=p, span=None, holders=1000, steps=steps), seed=seed
        ).timeseries
        curves.append(timeseries.reach_track_two_autonomous.to_numpy())
    observed = np.mean(curves, axis=0)
    predicted, i = [], 1000 / n
    for _ in range(steps):
        i = i + (1 - i) * (1 - np.exp(-z * p * i))
        predicted.append(i)
    predicted = np.array(predicted)
    assert np.all(np.abs(observed[:3] - predicted[:3]) / predicted[:3] < 0.03), (observed, predicted)
    # later, holders cluster (a new holder's neighbours already hold it), so mean field is an upper bound
    assert np.all(observed <= predicted * 1.01) and observed[-1] > 0.85 * predicted[-1], (observed, predicted)


def test_independent_cascade_final_size_on_erdos_renyi(degenerate):
    """Advocacy span 1: the final size solves r = 1 - exp(-z p r)."""
    n, z, p = 30_000, 8.0, 0.25
    theory = optimize.brentq(lambda r: r - (1 - np.exp(-z * p * r)), 1e-6, 1.0)
    finals = []
    for seed in range(4):
        timeseries = simulate(degenerate(n=n, mean_degree=z, p=p, span=1, holders=30, steps=60), seed=seed).timeseries
        assert timeseries.adoptions.iloc[-5:].sum() == 0  # the cascade has died out
        finals.append(timeseries.reach_track_two_autonomous.iloc[-1])
    assert abs(np.mean(finals) - theory) < 0.015, (finals, theory)


def test_independent_cascade_gives_each_adopter_one_chance(degenerate):
    model = TrackTwoModel(degenerate(n=2000, mean_degree=5, p=1.0, span=1, holders=1, steps=30), seed=3)
    model.run()
    seed_actor = int(np.flatnonzero(model.ideas.source[:, 0] == -2)[0])
    reachable = breadth_first_order(model.ties, seed_actor, directed=False, return_predecessors=False)
    assert set(np.flatnonzero(model.ideas.holds[:, 0])) == set(reachable.tolist())  # p = 1: the whole component
