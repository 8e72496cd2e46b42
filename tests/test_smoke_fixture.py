def test_fixture_initialises_a_ledger(inspected):
    assert (inspected.folder / "ledger.db").is_file()
    assert inspected.out("add-problem", "--inspection", "XC2019-1", "--category", "政治站位方面", "--title", "t", "--at", "2020-01-15") == "XC2019-1-1"
