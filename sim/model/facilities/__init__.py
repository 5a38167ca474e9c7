"""The things that act in a run: station, couriers, lockers, recipients, warehouses, trucks."""
