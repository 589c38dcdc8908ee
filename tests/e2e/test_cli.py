"""The command-line contract of DESIGN.md: help, exit codes, one-line errors."""


def test_help_lists_subcommands_and_exits_zero(clickstream):
    result = clickstream("--help")
    assert result.returncode == 0
    assert "produce" in result.stdout
    assert "CLICKSTREAM_BROKERS" in result.stdout


def test_unknown_flag_is_a_usage_error_with_one_line(clickstream):
    result = clickstream("--no-such-flag", "produce")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
