"""PCL-5 (Weathers et al.; Blevins et al. 2015): PTSD symptoms, 20 items 0-4."""

from __future__ import annotations

from referwell.domain.measures.base import Instrument

PCL5 = Instrument(
    code="PCL-5",
    title="PTSD Checklist for DSM-5",
    source="Weathers et al., National Center for PTSD; Blevins et al. 2015",
    item_count=20,
    item_max=4,
    bands=(),  # no empirical bands
    caseness_cutoff=33,
    caseness_label="probable PTSD (PCL-5 ≥ 33)",
    reliable_change=10,
)
