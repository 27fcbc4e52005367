"""Seeds of a session or cold-start answer, given by id or by name, with weights.

Artist names are looked up in the catalog (``GET /artists?q=``, the exact match ignoring
letter case and accents), tag values likewise (``GET /tags?q=``). A name nothing matches is
reported apart (``unknown_seeds``), not an error; a seed given twice adds its weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from recommender.schemas import Seed, SeedRef, UnknownSeeds
from recommender.upstream import Upstream


@dataclass
class Seeds:
    artists: dict[int, float] = field(default_factory=dict)
    tags: dict[int, float] = field(default_factory=dict)
    unknown: UnknownSeeds = field(default_factory=UnknownSeeds)


def resolve(upstream: Upstream, artists: list[SeedRef], tags: list[SeedRef]) -> Seeds:
    seeds = Seeds()
    for given, found, unknown, lookup in (
        (artists, seeds.artists, seeds.unknown.artists, upstream.artist_named),
        (tags, seeds.tags, seeds.unknown.tags, upstream.tag_named),
    ):
        for ref in given:
            seed = _seed(ref)
            seed_id = seed.id if seed.id is not None else lookup(seed.name or "")
            if seed_id is None:
                unknown.append(seed.name or "")
            else:
                found[seed_id] = found.get(seed_id, 0.0) + seed.weight
    return seeds


def _seed(ref: SeedRef) -> Seed:
    if isinstance(ref, Seed):
        return ref
    if isinstance(ref, int):
        return Seed(id=ref)
    return Seed(name=ref)
