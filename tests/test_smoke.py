def test_referral_touch_and_due_end_to_end(cli):
    r = cli("add-referral", "Sue Chen", "--from", "Bob Li", "--on", "2026-11-02")
    assert r.exit_code == 0, r.stderr
    due = cli("due", "--on", "2026-11-02", "--json").json()
    assert [(i["contact"], i["kind"]) for i in due["due"]] == [("Bob Li", "coach"), ("Sue Chen", "touch")]
