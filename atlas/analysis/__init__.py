"""Planners' analyses on the plan's own layout, all in EPSG:32650 and all by one membership rule.

* :mod:`.units`      — the areal units reported on: the city, its towns, the two zones, the
  corridor band (areas from geometry, the plan's stated area beside them);
* :mod:`.facilities` — which carriers are facilities (a filter), where each is measured from,
  and what-if changes (add, move, close);
* :mod:`.demand`     — what is to be covered: area, town population, or demand points;
* :mod:`.coverage`   — catchments, % covered per unit, gaps, overlaps, radius sensitivity;
* :mod:`.siting`     — where next: maximal covering location (PySAL ``spopt``);
* :mod:`.industry`   — the "一产业一平台" matrix of industries × zones / towns;
* :mod:`.targets`    — the plan's 表1-1 indicators with the atlas's live counts;
* :mod:`.density`    — carriers per km² and the two zones side by side.
"""


class AnalysisInputError(ValueError):
    """Input an analysis cannot use (unknown facility id, p larger than the candidates, …);
    the message says what to fix and the web layer answers it with a 400."""
