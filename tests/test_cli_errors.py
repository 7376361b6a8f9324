"""Library errors name parameters; the command line shows them as the command's own flags."""

from deeprg.cli import as_flags


def test_parameter_names_become_the_commands_flags():
    options = {"--beta-v", "--width", "--rows", "--out"}
    assert as_flags("beta_v: must be >= 0", options) == "--beta-v: must be >= 0"
    assert as_flags("width/rows: 64 layer states", options) == "--width/--rows: 64 layer states"
    assert as_flags("E: not a fixed point", options) == "E: not a fixed point"  # not an option: left alone
    assert as_flags("family: must be one of ising", options) == "family: must be one of ising"
    assert as_flags("no prefix here", options) == "no prefix here"
