"""Words and number formats the app shows: metrics, designs, engineer-time categories, money."""

from __future__ import annotations

# Figures, designs and formats in words live in sim.wording (the report and the CLI use them too); pages take them
# from here.
from sim.wording import AXIS_FORMAT as AXIS_FORMAT
from sim.wording import BEST as BEST
from sim.wording import KPIS as KPIS
from sim.wording import NOT_STEADY as NOT_STEADY
from sim.wording import OVERLAP_NOTE as OVERLAP_NOTE
from sim.wording import TIED as TIED
from sim.wording import TIME_USE as TIME_USE
from sim.wording import WORSE as WORSE
from sim.wording import MetricLabel as MetricLabel
from sim.wording import describe_design as describe_design
from sim.wording import design_label as design_label
from sim.wording import design_labels as design_labels
from sim.wording import figure as figure
from sim.wording import hires_after_label as hires_after_label
from sim.wording import interval as interval
from sim.wording import money as money
from sim.wording import plain as plain
