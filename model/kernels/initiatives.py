"""The initiatives' invitations (model/initiatives.py `Programmes._accept`) as a kernel: who comes to a meeting.

Products of the same factors in the same order and the decline draws hashed as ``randomness.uniforms`` hashes
them: the numpy code's results exactly; tests/model/test_programme_paths.py checks them against it.
"""

from __future__ import annotations

import numpy as np
from tracktwo.model.kernels import kernel, keyed_bits
from tracktwo.model.randomness import GOLDEN, UNIT

__all__ = ["attending"]

_GOLDEN = np.uint64(GOLDEN)


@kernel(
    "Tuple((boolean[::1], boolean))(int64[::1], float64, boolean[::1], float64, boolean[::1], float64,"
    " int64[:, ::1], int64[::1], int64, float64, int64, uint64)"
)
def attending(who, attendance, officials, official_access, proscribed, armed_access, last_met, others, since,
              decline, t, prefix):  # fmt: skip
    """Whether each invitee comes, and whether every chance was 1 (then nobody is drawn for: all come).

    An invitee's chance: `attendance`, times `official_access` for an official (when below 1), `armed_access` for
    a proscribed actor (an empty mask: none is), `decline` when it met another initiative (`others`' rows of
    `last_met`) at `since` or later, 0 when it met one at step t. It comes when its uniform keyed by `prefix` (the
    meeting's "decline" key) is below its chance.
    """
    comes = np.empty(who.size, dtype=np.bool_)
    every = True
    limited, any_proscribed = official_access < 1.0, proscribed.size > 0
    for i in range(who.size):
        actor = who[i]
        chance = attendance
        if limited and officials[actor]:
            chance *= official_access
        if any_proscribed and proscribed[actor]:
            chance *= armed_access
        if others.size:
            tired, now = False, False
            for row in others:
                met = last_met[row, actor]
                tired |= met >= since
                now |= met == t
            if tired:
                chance *= decline
            if now:
                chance = 0.0
        every &= chance >= 1.0
        comes[i] = np.float64(keyed_bits(np.uint64(actor) * _GOLDEN + prefix)) * UNIT < chance
    return comes, every
