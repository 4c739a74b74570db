"""Every random draw of a run is a function of the run's seed and of the event it decides.

Setup (the network, the actors' attributes) draws from generators spawned from
``SeedSequence(seed)``, so two programmes on one seed share their network and actors. Everything
that happens during the run is drawn by *event*: a uniform for "does actor j adopt idea k at
step t" is a counter-based hash of (seed, event class, step, idea key, actor), not the next number
of a stream. A counterfactual run (a workshop or a participant removed) therefore meets the same
luck wherever the change does not reach: common random numbers keyed by event.

The hash is SplitMix64's finaliser (Stafford's "Mix13", the output function of Java's
SplittableRandom and of numpy's SeedSequence-era generators) applied in a chain: the seed, the
event class and the step are mixed once per step in Python; the per-event identities are then
mixed in one vectorised pass, so a step's draws cost a few array operations over the events it
decides. Events whose draws are many and sequential (a workshop's invitations, ideas and novelty)
take a Philox generator keyed by the same hash.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

__all__ = [
    "EVENTS",
    "GOLDEN",
    "MASK",
    "PURPOSE_STREAMS",
    "STREAMS",
    "UNIT",
    "EventRandomness",
    "golden_ids",
    "mix",
    "mix_array",
    "purpose_stream",
    "run_streams",
]

STREAMS = ("network", "attributes")  # setup draws: spawned children 0 and 1 of SeedSequence(seed)
EVENTS = (
    "adoption",  # does a receiver adopt an idea it is advocated this step
    "credit",  # which advocate is credited with the adoption
    "forgetting",  # does a holder drop an idea this step
    "ripeness",  # does a Track One state open or close a window
    "workshop",  # a workshop's sequential draws (seats, ideas, novelty, leak): a keyed Philox generator
    "invitation",  # an actor's priority for a seat at a workshop
    "retention",  # a previous participant's priority to be invited again
    "cross_tie",  # does a cross-side pair in a workshop form a tie
    "seeding",  # who holds a seeded idea at the start
    "rivals",  # Track One's own ideas and ideas from outside the programme, per step
    # the new Track Two (model/initiatives.py, formats.py); appended, so the keys above never change
    "decline",  # does an invitee come to a meeting (a third party's standing, other initiatives' demands)
    "replacement",  # coordinated initiatives: who replaces a decliner, per meeting (a keyed generator)
    "withdrawal",  # does the funder withdraw after a meeting with proscribed participants
    "outreach",  # which grassroots a meeting's outreach to Track Three reaches (a keyed generator)
    "voice",  # who authors each of a meeting's ideas at unequal voice (a keyed generator)
    "format",  # a non-meeting event's draws (a trip's travellers, a product's readers, a shuttle's carrying)
    "issue_direction",  # the dimension of the issue space an idea is about, keyed by the idea (model/issues.py)
)
MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15  # 2^64 / golden ratio: SplitMix64's increment
MIX_1, MIX_2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
UNIT = 2.0**-53  # a 53-bit integer times this is a double on [0, 1)


def run_streams(seed: int) -> dict[str, np.random.Generator]:
    """One generator per setup process (network, attributes), spawned from SeedSequence(seed)."""
    children = np.random.SeedSequence(int(seed)).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)}


def mix(value: int) -> int:
    """SplitMix64's finaliser on a Python int (64-bit wrap-around)."""
    z = value & MASK
    z = ((z ^ (z >> 30)) * MIX_1) & MASK
    z = ((z ^ (z >> 27)) * MIX_2) & MASK
    return z ^ (z >> 31)


_SHIFT_30, _SHIFT_27, _SHIFT_31, _SHIFT_11 = (np.uint64(k) for k in (30, 27, 31, 11))
_MIX_1, _MIX_2, _GOLDEN = np.uint64(MIX_1), np.uint64(MIX_2), np.uint64(GOLDEN)
_FEW = 4  # events up to this many (no idea keys) are drawn with Python ints
_FEW_KEYS = 2  # idea keys up to this many are mixed with Python ints


def mix_array(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser on a uint64 array, in place (numpy's uint64 arithmetic wraps)."""
    shifted = np.right_shift(z, _SHIFT_30)  # one scratch array, reused by every shift
    z ^= shifted
    z *= _MIX_1
    z ^= np.right_shift(z, _SHIFT_27, out=shifted)
    z *= _MIX_2
    z ^= np.right_shift(z, _SHIFT_31, out=shifted)
    return z


def golden_ids(n: int) -> np.ndarray:
    """Each id times GOLDEN (uint64, wrapping), ids 0 .. n - 1: the first step of hashing the events of n actors."""
    return np.arange(n, dtype=np.uint64) * _GOLDEN


def _few_uniforms(prefix: int, ids: Iterable[int]) -> list[float]:
    """Each id's uniform under an event's key `prefix`, on Python ints (a few ids: cheaper than array calls)."""
    return [(mix(int(i) * GOLDEN + prefix) >> 11) * UNIT for i in ids]


class EventRandomness:
    """Draws keyed by event: uniforms over arrays of event identities, and keyed generators."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._base = {event: mix(mix(self.seed + GOLDEN) + (index + 1) * GOLDEN) for index, event in enumerate(EVENTS)}
        self._local: dict[str, tuple[np.random.Generator, dict, list[int]]] = {}  # local_generator's, per call site

    def key(self, event: str, *numbers: int) -> int:
        """A 64-bit key for one event class and a tuple of whole numbers (a step, a workshop, a state)."""
        if len(numbers) == 1:  # the common case (a step, a meeting): one mix, inline
            z = (self._base[event] + (int(numbers[0]) & MASK) * GOLDEN + GOLDEN) & MASK
            z = ((z ^ (z >> 30)) * MIX_1) & MASK
            z = ((z ^ (z >> 27)) * MIX_2) & MASK
            return z ^ (z >> 31)
        z = self._base[event]
        for number in numbers:
            z = mix(z + (int(number) & MASK) * GOLDEN + GOLDEN)
        return z

    def uniforms(
        self,
        event: str,
        number: int,
        ids: np.ndarray,
        keys: np.ndarray | None = None,
        columns: np.ndarray | None = None,
    ) -> np.ndarray:
        """Independent uniforms on [0, 1), one per event of this class at `number` (a step, a workshop).

        An event is identified by `ids[i]` (an actor, a state, a pair of actors) and, when `keys`
        is given, by the idea key `keys[columns[i]]` (ideas are few: each key is mixed once). The
        same identities always give the same uniforms, whatever else the run does.
        """
        ids = np.asarray(ids)
        if ids.size == 0:
            return np.empty(0)
        if keys is not None:
            return self.keyed_uniforms(self.mixed_keys((event,), number, keys)[0], ids, columns)
        prefix = self.key(event, number)
        if ids.size <= _FEW:  # a state or two: the same arithmetic on Python ints costs less than array calls
            return np.array(_few_uniforms(prefix, ids.reshape(-1).tolist())).reshape(ids.shape)
        z = ids.astype(np.uint64)
        z *= _GOLDEN
        z += np.uint64(prefix)
        mix_array(z)
        z >>= _SHIFT_11
        return z * UNIT

    def uniform_rows(self, event: str, first: int, count: int, ids: int) -> list[list[float]]:
        """:meth:`uniforms` of the ids 0 .. ids - 1 at each number from `first` (>= 0) on, `count` numbers, in one pass.

        Python floats, a row per number (the Track One states' ripeness draws for the run's months): each number's
        key as :meth:`step_prefixes` makes it, then each id's hash as :meth:`uniforms`' (uint64, wrapping).
        """
        z = self.step_prefixes((event,), first, count) + golden_ids(ids)  # (numbers x ids)
        mix_array(z)
        z >>= _SHIFT_11
        return (z * UNIT).tolist()

    def step_prefixes(self, events: tuple[str, ...], first: int, count: int) -> np.ndarray:
        """:meth:`key` of each event class at `count` numbers from `first` (>= 0), in one pass: (numbers x events).

        The same arithmetic on uint64 (wrapping) as :meth:`key`'s on Python ints masked to 64 bits.
        """
        if first < 0:
            raise ValueError(f"first: expected 0 or more, got {first}")
        base = np.array([(self._base[event] + GOLDEN) & MASK for event in events], dtype=np.uint64)
        z = np.arange(first, first + count, dtype=np.uint64) * _GOLDEN
        return mix_array(z[:, None] + base)

    def mixed_keys(self, events: tuple[str, ...], number: int, keys: np.ndarray) -> np.ndarray:
        """Idea keys mixed with each event class at `number` (a step), one row per event, in one pass.

        A step's draws of several classes (adoption, credit, forgetting) share the pass; row e is
        what :meth:`uniforms` mixes for ``events[e]``.
        """
        keys = np.asarray(keys)
        if keys.size <= _FEW_KEYS:  # an idea or two (plain diffusion): the same arithmetic on Python ints costs less
            keyed = [int(k) * GOLDEN for k in keys.tolist()]
            prefixes = [self.key(event, number) for event in events]
            return np.array([[mix(k + prefix) for k in keyed] for prefix in prefixes], dtype=np.uint64)
        prefixes = np.array([self.key(event, number) for event in events], dtype=np.uint64)
        mixed = np.asarray(keys, dtype=np.uint64) * _GOLDEN
        mixed = mixed[None, :] + prefixes[:, None]
        return mix_array(mixed)

    @staticmethod
    def keyed_uniforms(mixed: np.ndarray, ids: np.ndarray, columns: np.ndarray | None) -> np.ndarray:
        """Uniforms for events (ids[i], idea column columns[i]) from one row of :meth:`mixed_keys`.

        Several classes at once: `mixed` (classes x ideas) gives (classes x events).
        """
        ids = np.asarray(ids)
        if ids.size == 0:
            return np.empty(0)
        return EventRandomness.keyed_bits(mixed, ids, columns) * UNIT

    @staticmethod
    def keyed_bits(
        mixed: np.ndarray, ids: np.ndarray, columns: np.ndarray | None, golden: np.ndarray | None = None
    ) -> np.ndarray:
        """The 53-bit integers (uint64) of :meth:`keyed_uniforms`: each uniform is its integer x 2^-53, exactly.

        `columns` None: every event's idea is column 0 (one idea). `golden`: i x GOLDEN (uint64, wrapping) for
        every id i, read instead of multiplied (:func:`golden_ids`).
        """
        if golden is None:
            z = ids.astype(np.uint64)  # ids as uint64 (wrapping), times GOLDEN
            z *= _GOLDEN
        else:
            z = golden.take(ids)
        one = columns is None or mixed.shape[-1] == 1
        keyed = mixed[..., :1] if one else mixed.take(columns, axis=-1)  # take: cheaper than [...]
        if keyed.ndim == 1:
            z += keyed
        else:
            z = z + keyed
        mix_array(z)
        z >>= _SHIFT_11
        return z

    def generator(self, event: str, *numbers: int) -> np.random.Generator:
        """A Philox generator keyed by the event (e.g. one workshop): its draws depend on nothing else."""
        return np.random.Generator(np.random.Philox(key=self.key(event, *numbers)))

    def local_generator(self, site: str, event: str, *numbers: int) -> np.random.Generator:
        """The draws of :meth:`generator` from one reused generator per call site, reset to the event's key.

        For a generator used only inside the function that asks for it (it is reset at that site's next
        call): setting a Philox's state costs a fraction of building one (no fresh entropy drawn).
        """
        local = self._local.get(site)
        if local is None:
            key = [0, 0]
            start = {  # as Philox(key=k) starts: counter 0, key (k, 0), the buffer empty (lists: the setter copies)
                "bit_generator": "Philox",
                "state": {"counter": [0, 0, 0, 0], "key": key},
                "buffer": [0, 0, 0, 0],
                "buffer_pos": 4,
                "has_uint32": 0,
                "uinteger": 0,
            }
            local = self._local[site] = (np.random.Generator(np.random.Philox(key=0)), start, key)
        rng, start, key = local
        key[0] = self.key(event, *numbers)
        rng.bit_generator.state = start
        return rng


PURPOSE_STREAMS = {"localities": 68, "proscribed": 69}  # the new Track Two's setup draws: spawn key of each
# (children 64-67 of SeedSequence(seed) were purpose streams whose draws are now keyed by event)


def purpose_stream(seed: int, purpose: str) -> np.random.Generator:
    """A generator for one setup draw of a later mechanism (who lives where, who is proscribed).

    A child of SeedSequence(seed) clear of STREAMS' children: such a draw never shifts those of
    the processes that were there before it, or of each other.
    """
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(PURPOSE_STREAMS[purpose],)))
