"""A plan in a :class:`~hotspots.planning.plans.PlanStore`: name, area, data, size and cost."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PlanInfo"]


@dataclass(frozen=True)
class PlanInfo:
    """A plan in a :class:`PlanStore`: its name, area, data source, size and total cost.

    ``total_cost`` sums the interventions whose cost is known; ``n_without_cost`` says how
    many have none. ``source`` names the data the plan was made on ("" if not recorded).
    """

    name: str
    area: str
    description: str
    n_interventions: int
    total_cost: float
    n_without_cost: int
    created: str
    updated: str
    source: str = ""

    def made_for(self, *, area: str, source: str) -> str | None:
        """None when the plan belongs to ``area`` on ``source``, else a sentence saying why not.

        Examples
        --------
        >>> p = PlanInfo("A", "Hollinmoor", "", 0, 0.0, 0, "", "", source="Demo town")
        >>> p.made_for(area="Hollinmoor", source="Demo town") is None
        True
        >>> p.made_for(area="All areas", source="upload: wy.csv")[:47]
        "Plan 'A' was made for Hollinmoor on Demo town; "
        """
        same_area = not self.area or self.area == area
        same_source = not self.source or self.source == source
        if same_area and same_source:
            return None
        made = f"{self.area or 'no recorded area'} on {self.source or 'unrecorded data'}"
        return (f"Plan {self.name!r} was made for {made}; you are looking at {area} on "
                f"{source}.")
