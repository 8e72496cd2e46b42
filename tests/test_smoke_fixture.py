def test_fixture_initialises_a_ledger(inspected):
    if inspected.kind == "sqlite":
        assert (inspected.folder / "ledger.db").is_file()
    else:
        assert not (inspected.folder / "ledger.db").exists()
        assert inspected.query("SELECT COUNT(*) FROM stored_events") == [(2,)]  # the founding event and the inspection
    assert inspected.out("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "t", "--at", "2020-01-15") == "XC2019-1-1"
