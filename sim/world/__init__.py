"""The static world: road graph, compounds, buildings, lockers, the station and courier areas."""

from .areas import assign_areas
from .city import STATION_PLACE, City, generate_city

__all__ = ["STATION_PLACE", "City", "assign_areas", "generate_city"]
