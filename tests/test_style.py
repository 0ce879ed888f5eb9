"""Every point kind has a colour, and each kind is in exactly one legend group."""

from __future__ import annotations

from collections import Counter

from atlas.maps.style import POINT_GROUPS, kind_colours
from atlas.vocab import HOSTED_LAYERS, LAYER_KINDS


def test_every_point_kind_has_one_colour():
    point_kinds = {k.value for layer in HOSTED_LAYERS for k in LAYER_KINDS[layer]}
    assert set(kind_colours()) == point_kinds
    seen = Counter(k for group in POINT_GROUPS for k in group.kinds)
    assert max(seen.values()) == 1
    assert len({g.colour for g in POINT_GROUPS}) == len(POINT_GROUPS)
