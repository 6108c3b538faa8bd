"""The candidate draws worked out once per run (`sim.demand.CandidateDraws`) are numpy's own: the same work types
as `Generator.choice` with the shares as probabilities, the same efforts as `gamma_with_cv`, and the stream left
where they leave it, so a change of speed is not a change of demand."""

from __future__ import annotations

import numpy as np
import pytest

from sim.demand import (
    BLOCK,
    CLIENT_STREAMS,
    CandidateDraws,
    client_streams,
    gamma_with_cv,
    one_gamma_with_cv,
    seed_sequence,
)
from sim.scenario import from_dict

TYPES = {
    "three kinds": {"a": {"share": 0.5, "effort_hours": 4.0, "effort_cv": 1.0},
                    "b": {"share": 0.35, "effort_hours": 12.0, "effort_cv": 0.8},
                    "c": {"share": 0.15, "effort_hours": 60.0, "effort_cv": 0.6}},
    "one fixed effort": {"a": {"share": 0.7, "effort_hours": 4.0, "effort_cv": 0.0},
                         "b": {"share": 0.3, "effort_hours": 9.0, "effort_cv": 0.5}},
    "one kind": {"a": {"share": 1.0, "effort_hours": 8.0, "effort_cv": 0.3}},
}


@pytest.mark.parametrize("types", TYPES)
def test_work_types_and_efforts_are_numpys_choice_and_gamma(types):
    scenario = from_dict({"demand": {"work_types": TYPES[types]}})
    shares = np.array([t["share"] for t in TYPES[types].values()])
    means = np.array([t["effort_hours"] for t in TYPES[types].values()])
    cvs = np.array([t["effort_cv"] for t in TYPES[types].values()])
    draws = CandidateDraws(scenario)
    for seed in range(20):
        ours, numpys = np.random.default_rng(seed), np.random.default_rng(seed)
        kind, effort = draws.work(ours, BLOCK)
        expected_kind = numpys.choice(len(shares), size=BLOCK, p=shares / shares.sum())
        expected_effort = gamma_with_cv(numpys, means[expected_kind], cvs[expected_kind], BLOCK)
        assert kind.tolist() == expected_kind.tolist()
        assert effort.tolist() == expected_effort.tolist()
        assert ours.random() == numpys.random()  # and the stream goes on from the same place


@pytest.mark.parametrize("cv", [0.0, 0.3, 1.0, 2.5])
def test_one_size_is_the_array_draw_of_one(cv):
    for seed in range(20):
        ours, arrays = np.random.default_rng(seed), np.random.default_rng(seed)
        assert one_gamma_with_cv(ours, 1.0, cv) == float(gamma_with_cv(arrays, 1.0, cv, 1)[0])
        assert ours.random() == arrays.random()


@pytest.mark.parametrize("types", TYPES)
def test_a_block_is_the_draws_of_numpys_uniform_and_gamma(types):
    """A block's coin flips are `uniform` and its efforts `gamma`, in their order, as the model always drew them."""
    draws = CandidateDraws(from_dict({"demand": {"work_types": TYPES[types]}}))
    for seed in range(20):
        ours, numpys = np.random.default_rng(seed), np.random.default_rng(seed)
        block = draws.block(ours)
        assert block.gaps == numpys.exponential(1.0, size=BLOCK).tolist()
        assert block.accept == numpys.uniform(size=BLOCK).tolist()
        kind = draws.cdf.searchsorted(numpys.random(BLOCK), side="right")
        varied = draws.varied[kind]
        effort = draws.means[kind]
        effort[varied] = numpys.gamma(draws.shapes[kind][varied], draws.scales[kind][varied])
        assert block.kind == kind.tolist() and block.effort == effort.tolist()
        assert block.clarity == numpys.uniform(size=BLOCK).tolist()
        assert block.review == numpys.uniform(size=BLOCK).tolist()
        assert ours.random() == numpys.random()


@pytest.mark.parametrize("seed", [0, 1, 42, 2**32 - 1, 2**32, 2**70 + 3])
def test_a_seed_sequence_from_its_words_is_numpys(seed):
    """The client streams' seed sequences, built from the words numpy hashes, generate numpy's own states."""
    for key in [(), (0,), (3, 1, 7), (0, 2, 0, 0, 3), (1, 2**33, 5, 1)]:
        expected = np.random.SeedSequence(entropy=seed, spawn_key=key).generate_state(8)
        assert seed_sequence(seed, key).generate_state(8).tolist() == expected.tolist()
    with pytest.raises(ValueError, match="negative"):
        seed_sequence(-1, (0,))


@pytest.mark.parametrize("seed", [0, 7, 2**32 + 1, 2**64 - 1])
def test_a_client_stream_is_numpys_own_generator(seed):
    """A client's generators, seeded through the model's own output hash, draw what numpy's default_rng of the
    same seed sequence draws."""
    for key in [(0, 1, 0), (3, 1, 12), (1, 2, 5), (0, 1, 4, 2)]:
        ours = client_streams(seed, key[0], key[1:])
        for index, name in enumerate(CLIENT_STREAMS):
            numpys = np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(*key, index)))
            assert ours[name].random(4).tolist() == numpys.random(4).tolist()
            assert ours[name].exponential(size=3).tolist() == numpys.exponential(size=3).tolist()
