"""The pages' charts. They are built in sim.charts, since the report draws the same charts without the app; pages
take them from here."""

from sim.charts import *  # noqa: F403
