"""A courier's e-tricycle battery: the energy each ride takes, and swaps when it runs low."""

from __future__ import annotations

from ...core.errors import ScenarioError
from ...scenario.schema import VehicleConfig

__all__ = ["Battery"]


class Battery:
    """Charged overnight; each ride draws ``km × (wh_per_km + wh_per_km_per_100kg × load/100 kg)``.
    When the charge would not cover the next ride, the courier swaps the battery on the way (a
    cabinet near the route, ``swap_min``), or, where swaps are not allowed, the scenario is wrong."""

    def __init__(self, config: VehicleConfig) -> None:
        self.config = config
        self.capacity_wh = config.battery_kwh * 1000.0
        self.charge_wh = self.capacity_wh
        self.used_wh = 0.0  # today
        self.swaps = 0  # today

    def new_day(self) -> None:
        """Charged overnight: a full battery, nothing used yet."""
        self.charge_wh = self.capacity_wh
        self.used_wh = 0.0
        self.swaps = 0

    def ride(self, ride_m: float, load_kg: float) -> float:
        """Draw a ride's energy; returns the seconds of a swap made first (0 if none was needed)."""
        need = self.config.ride_wh(ride_m, load_kg)
        swap_s = 0.0
        if need > self.charge_wh:
            if not self.config.swap or need > self.capacity_wh:
                raise ScenarioError(
                    f"{self.config.battery_kwh:g} kWh does not cover the tours (a ride of {ride_m:,.0f} m with "
                    f"{load_kg:.0f} kg on board needs {need:.0f} Wh, {self.charge_wh:.0f} Wh left"
                    + ("" if self.config.swap else ", and couriers.vehicle.swap is false")
                    + ")",
                    param="couriers.vehicle.battery_kwh",
                )
            self.charge_wh = self.capacity_wh
            self.swaps += 1
            swap_s = self.config.swap_min * 60.0
        self.charge_wh -= need
        self.used_wh += need
        return swap_s
