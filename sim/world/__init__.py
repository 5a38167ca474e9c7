"""The static world: road graph, compounds, buildings, lockers, the station and courier areas."""

from .areas import assign_areas, too_many_couriers
from .city import City, count_compounds, generate_city

__all__ = ["City", "assign_areas", "count_compounds", "generate_city", "too_many_couriers"]
