"""The static world: road graph, compounds, buildings, lockers, the station and courier areas."""

from .areas import assign_areas
from .city import City, generate_city

__all__ = ["City", "assign_areas", "generate_city"]
