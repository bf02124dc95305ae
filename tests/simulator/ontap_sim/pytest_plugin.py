"""pytest plugin: fixtures ``ontap_sim`` (one simulator per test) and ``ontap_sim_session`` (one per session).

Both start the simulator over plain HTTP with ``job_seconds=0.5``; ``ontap_sim_session`` is reset before each use
of the ``ontap_sim_reset`` fixture. Registered through the ``pytest11`` entry point of the ``ontap-sim`` package,
or with ``pytest_plugins = ["ontap_sim.pytest_plugin"]``.
"""

from typing import Iterator

import pytest

from .testing import SimServer


@pytest.fixture
def ontap_sim() -> Iterator[SimServer]:
    """A fresh simulator (HTTP, 0.5 s jobs) for one test."""
    with SimServer(http=True, job_seconds=0.5) as server:
        yield server


@pytest.fixture(scope="session")
def ontap_sim_session() -> Iterator[SimServer]:
    """One simulator (HTTP, 0.5 s jobs) shared by the whole session."""
    with SimServer(http=True, job_seconds=0.5) as server:
        yield server


@pytest.fixture
def ontap_sim_reset(ontap_sim_session: SimServer) -> SimServer:  # pylint: disable=redefined-outer-name
    """The session simulator, reset to its seed state."""
    ontap_sim_session.reset()
    return ontap_sim_session
