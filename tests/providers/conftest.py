import datetime
import zoneinfo

import pytest
import time_machine

from .factories import make_world

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# Tuesday 10 March 2026, 08:30 in Yangzhou: a plain working day.
START = datetime.datetime(2026, 3, 10, 8, 30, tzinfo=SHANGHAI)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(tree, clock):
    return make_world(tree)
