"""One run of the model: a station area (facilities, couriers, recipients, the ledger and its
tracking log), demand, upstream warehouses and linehaul, money, partial results and KPIs
(``run`` assembles them). May import ``sim.world``, ``sim.scenario`` and ``sim.core``."""
