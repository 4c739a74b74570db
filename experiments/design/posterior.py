"""A calibration's posterior as the uncertain parameters of sweeps, comparisons and evaluations.

`tracktwo calibrate` leaves weighted particles (posterior.parquet or posterior.csv: a `particle`
column, a column per fitted dotted key, a `weight` column). A command given that folder runs its
replicates in blocks of m (`block`, DEFAULT_BLOCK unless set): replicate r runs at one particle drawn
by weight with a generator seeded from (the run's seed, r // m) alone. Replicate r of every point,
programme or coalition runs at the same particle on the same seed, so differences stay paired; the
m replicates of a block share a particle, so the analysis can tell the spread between particles
(what the data leave open) from seed noise (experiments.analysis.input_uncertainty).

>>> sample = load_posterior("configs/calibration/posterior-patterns")
>>> sample.draw(seed=0, replicate=3)
{'diffusion.official_aversion_unripe': 4.1, ...}
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from tracktwo.experiments.design import keys as keys_module
from tracktwo.model import ConfigError, make_params, merge

if TYPE_CHECKING:
    from tracktwo.experiments.design.sweepfile import SweepSpec

__all__ = [
    "DEFAULT_BLOCK",
    "DRAWS_FILE",
    "MIN_REPLICATES",
    "POSTERIOR_FILES",
    "POSTERIOR_STREAM",
    "PosteriorSample",
    "check_block",
    "check_resume",
    "draws_table",
    "load_posterior",
    "with_block",
    "with_posterior",
]

POSTERIOR_FILES = ("posterior.parquet", "posterior.csv")  # what `tracktwo calibrate` writes, read in this order
DRAWS_FILE = "posterior_draws.csv"  # which particle each replicate ran at, written beside the runs
POSTERIOR_STREAM = 0x9057E1  # a seed stream apart from run seeds and proposals
DEFAULT_BLOCK = 2  # replicates per particle (m): the smallest block that tells between- from within-particle spread
MIN_REPLICATES = 3  # with a posterior: two blocks at least, one of them of 2 replicates


@dataclass(frozen=True)
class PosteriorSample:
    """Weighted particles of the fitted keys, where they came from, and a hash of their content."""

    source: str
    file: str
    keys: tuple[str, ...]
    particles: tuple[tuple[float, ...], ...]
    weights: tuple[float, ...]
    sha256: str
    block: int = DEFAULT_BLOCK  # m: replicates r with the same r // m share a particle

    def draw_index(self, seed: int, replicate: int) -> int:
        """The particle replicate r runs at: one draw by weight from a generator seeded by (seed, r // m) alone."""
        stream = [int(seed), POSTERIOR_STREAM, int(replicate) // self.block]
        rng = np.random.default_rng(np.random.SeedSequence(stream))
        return int(rng.choice(len(self.weights), p=np.asarray(self.weights)))

    def draw(self, seed: int, replicate: int) -> dict[str, float]:
        """Replicate r's values of the fitted keys (the same for every point of the run)."""
        row = self.particles[self.draw_index(seed, replicate)]
        return dict(zip(self.keys, row, strict=True))

    def describe(self) -> dict[str, Any]:
        """For the manifest: the folder, the file, the keys, the particle count and the content hash."""
        return {
            "source": self.source,
            "file": self.file,
            "parameters": list(self.keys),
            "particles": len(self.weights),
            "effective_particles": round(1.0 / float(np.square(self.weights).sum()), 2),
            "sha256": self.sha256,
            "block": self.block,
        }


def check_block(block: Any, replicates: int | None = None, where: str = "--posterior-block") -> int:
    """m, the replicates per particle: a whole number >= 2 leaving at least two blocks; ConfigError in one line.

    Two replicates per particle at least, or seed noise cannot be told from the posterior's spread;
    two blocks at least (replicates > m), or that spread cannot be estimated at all.
    """
    if isinstance(block, bool) or not isinstance(block, int | np.integer) or block < 2:
        raise ConfigError(f"{where}: expected a whole number >= 2 (replicates per posterior particle), got {block!r}")
    if replicates is not None and replicates < MIN_REPLICATES:
        raise ConfigError(
            f"replicates: {replicates} with a posterior; allowed: {MIN_REPLICATES} or more (two particles at least, "
            "each run by 2 replicates or more, so seed noise can be told from the posterior's spread)"
        )
    if replicates is not None and replicates <= block:
        raise ConfigError(
            f"{where}: {block} replicates per particle with {replicates} replicates leaves one particle; "
            f"allowed: 2 to {replicates - 1} (at least two particles), or more replicates"
        )
    return int(block)


def load_posterior(folder: str | os.PathLike[str], where: str = "posterior") -> PosteriorSample:
    """Read a calibrate results folder's weighted particles; ConfigError in one line if it holds none usable."""
    if isinstance(folder, bool) or not isinstance(folder, str | os.PathLike) or not str(os.fspath(folder)).strip():
        raise ConfigError(f"{where}: expected a calibrate results folder (holding posterior.parquet), got {folder!r}")
    path = Path(folder)
    if not path.is_dir():
        raise ConfigError(f"{where}: {path} is not a folder; give a `tracktwo calibrate` results folder")
    file = next((path / name for name in POSTERIOR_FILES if (path / name).is_file()), None)
    if file is None:
        raise ConfigError(
            f"{where}: {path} is not a calibrate results folder (no {' or '.join(POSTERIOR_FILES)}); "
            "run `tracktwo calibrate SPEC.yaml` first"
        )
    try:
        table = pd.read_parquet(file) if file.suffix == ".parquet" else pd.read_csv(file)
    except Exception as error:  # a damaged file of any kind: one line, never a traceback
        raise ConfigError(f"{where}: {file} cannot be read ({type(error).__name__}: {error})") from None
    return _checked(table, path, file, where)


def _checked(table: pd.DataFrame, folder: Path, file: Path, where: str) -> PosteriorSample:
    """The particles' columns, values and weights checked: finite numbers, weights >= 0 summing above 0."""
    if "weight" not in table.columns:
        raise ConfigError(f"{where}: {file} has no weight column; expected particle, <dotted keys>..., weight")
    keys = [str(c) for c in table.columns if c not in ("particle", "weight")]
    if not keys:
        raise ConfigError(f"{where}: {file} names no parameter (columns {list(table.columns)})")
    if table.empty:
        raise ConfigError(f"{where}: {file} holds no particles; the calibration finished no generation")
    numbers = table[[*keys, "weight"]].apply(pd.to_numeric, errors="coerce")
    bad = next((c for c in numbers.columns if not np.isfinite(numbers[c].to_numpy(float)).all()), None)
    if bad is not None:
        raise ConfigError(f"{where}: {file} column {bad!r} holds a value that is not a finite number")
    weights = numbers["weight"].to_numpy(float)
    if (weights < 0).any() or weights.sum() <= 0:
        raise ConfigError(f"{where}: {file} weights must be >= 0 with a positive sum, got sum {weights.sum()!r}")
    weights = weights / weights.sum()
    values = numbers[keys].to_numpy(float)
    content = json.dumps({"keys": keys, "values": values.tolist(), "weights": weights.tolist()}, sort_keys=True)
    return PosteriorSample(
        source=str(folder),
        file=file.name,
        keys=tuple(keys),
        particles=tuple(tuple(float(v) for v in row) for row in values),
        weights=tuple(float(w) for w in weights),
        sha256=hashlib.sha256(content.encode()).hexdigest(),
    )


def _overlaps(key: str, other: str) -> bool:
    """Whether two dotted keys set the same value (equal, or one holds the other)."""
    return key == other or key.startswith(other + ".") or other.startswith(key + ".")


def _check_keys(sample: PosteriorSample, base: Mapping[str, Any], decided: Iterable[tuple[str, str]]) -> None:
    """Each fitted key is a numeric parameter of the base config, and nothing the command varies."""
    known = keys_module.key_paths(base)
    for key in sample.keys:
        value = keys_module.get(base, key) if key in known else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"posterior: {sample.source} fits {key!r}, which is not a numeric parameter of the model")
    for key in sample.keys:
        for other, what in decided:
            if _overlaps(key, other):
                raise ConfigError(
                    f"posterior: {sample.source} fits {key!r}, which {what} also sets ({other}); a key is drawn "
                    "from the posterior or set by the command, not both"
                )


def _check_particles(sample: PosteriorSample, base: Mapping[str, Any]) -> None:
    """Every particle is a valid config on the base (the model's ranges hold); one line naming the first that is not."""
    for index, row in enumerate(sample.particles):
        values = dict(zip(sample.keys, row, strict=True))
        try:
            make_params(merge(base, values))
        except ConfigError as error:
            raise ConfigError(f"posterior: {sample.source} particle {index} is refused by the model: {error}") from None


def with_posterior(
    spec: SweepSpec,
    posterior: PosteriorSample | str | os.PathLike[str],
    overrides: Iterable[str] = (),
    block: int | None = None,
    where: str = "--posterior-block",
) -> SweepSpec:
    """The sweep with its uncertain parameters drawn from a posterior, per block of replicates, paired across points.

    Refused (one line): a sweep with `uncertain:` ranges as well (the posterior takes their place), a
    fitted key that a swept parameter, a derived key, a listed point (programme, coalition) or an
    override (`overrides`, e.g. --set) also sets, a particle the model refuses, and a `block` (m,
    default DEFAULT_BLOCK) that is not a whole number >= 2 below the sweep's replicates.
    """
    sample = posterior if isinstance(posterior, PosteriorSample) else load_posterior(posterior)
    if spec.uncertain:
        raise ConfigError(
            "posterior: a sweep takes either uncertain: ranges or a posterior (which takes their place), not both"
        )
    decided = [(key, "the sweep's parameters") for key in spec.parameters]
    decided += [(key, "derived") for key in spec.derived]
    decided += [(key, "--set") for key in overrides]
    decided += [(key, f"point {i}") for i, point in enumerate(spec.listed_points) for key in point]
    _check_keys(sample, spec.base, decided)
    _check_particles(sample, spec.base)
    chosen = check_block(DEFAULT_BLOCK if block is None else block, spec.replicates, where)
    return dataclasses.replace(spec, posterior=dataclasses.replace(sample, block=chosen))


def with_block(spec: SweepSpec, block: int, where: str = "--posterior-block") -> SweepSpec:
    """The sweep's posterior (from its file) with `block` replicates per particle; refused without a posterior."""
    if spec.posterior is None:
        raise ConfigError(f"{where}: {block!r} given without a posterior (it sets the replicates per particle)")
    chosen = check_block(block, spec.replicates, where)
    return dataclasses.replace(spec, posterior=dataclasses.replace(spec.posterior, block=chosen))


def draws_table(sample: PosteriorSample, seed: int, replicates: Iterable[int]) -> pd.DataFrame:
    """Which block and particle each replicate ran at, and its values (posterior_draws.csv)."""
    rows = []
    for replicate in replicates:
        index = sample.draw_index(seed, replicate)
        values = dict(zip(sample.keys, sample.particles[index], strict=True))
        rows.append({"replicate": replicate, "block": replicate // sample.block, "particle": index, **values})
    return pd.DataFrame(rows, columns=["replicate", "block", "particle", *sample.keys])


def check_resume(spec: SweepSpec, previous: Mapping[str, Any]) -> None:
    """A resumed store must carry on with the posterior it started with (or none): one line otherwise."""
    if not previous:
        return
    before = (previous.get("sweep") or {}).get("posterior") or None
    before = before if isinstance(before, dict) and {"source", "sha256"} <= set(before) else None
    now = spec.posterior.describe() if spec.posterior is not None else None

    def decisive(found: Mapping[str, Any] | None) -> tuple[Any, Any]:
        return (found or {}).get("sha256"), (found or {}).get("block", 1) if found else None

    if decisive(before) != decisive(now):
        if before and now and before["sha256"] == now["sha256"]:  # the same particles, another block
            raise ConfigError(
                f"posterior: this folder's runs were made with {before.get('block', 1)} replicates per particle, "
                f"not {now['block']} replicates per particle; resume with --posterior-block "
                f"{before.get('block', 1)}, or use another --out or --overwrite"
            )

        def words(found: Mapping[str, Any]) -> str:  # the folder's name: a full path can outrun one line
            name = os.path.basename(os.path.normpath(str(found["source"]))) or found["source"]
            return f"{name} (sha256 {found['sha256'][:12]}, {found.get('block', 1)} replicates per particle)"

        started = words(before) if before else "no posterior"
        given = words(now) if now else "no posterior"
        raise ConfigError(
            f"posterior: this folder's runs were made with {started}, not {given}; resume with the same "
            "posterior, or use another --out or --overwrite"
        )
