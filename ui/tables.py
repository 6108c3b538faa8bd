"""The frames the pages show. They are built in sim.tables, since the report draws the same tables without the app;
pages take them from here."""

from sim.tables import *  # noqa: F403
