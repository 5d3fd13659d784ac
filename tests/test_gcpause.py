"""The collector pause of the big steps (nmdkg.core.gcpause): off inside, restored after, even on error."""

import gc

import pytest

from nmdkg.core.gcpause import paused


def test_paused_turns_the_collector_off_and_back_on():
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
        with paused():  # nested: still off, and the outer block restores it
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), paused():
        raise RuntimeError("a step fails")
    assert gc.isenabled()

