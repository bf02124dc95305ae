"""ontap_sim: a simulated NetApp ONTAP REST API for testing the ontap.rest collection.

Modules: :mod:`~ontap_sim.api` (HTTP routing of ``/api``), :mod:`~ontap_sim.model` (objects),
:mod:`~ontap_sim.jobs` (job engine), :mod:`~ontap_sim.faults` (fault rules), :mod:`~ontap_sim.control`
(``/_sim`` control API), :mod:`~ontap_sim.core` (configuration, log, glue), :mod:`~ontap_sim.testing`
(``SimServer`` for tests), :mod:`~ontap_sim.cli` (``ontap-sim``).
"""

__version__ = "0.1.0"
