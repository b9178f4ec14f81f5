"""Contact details: several phones and e-mails per contact, each with an optional label.

`add`, `add-referral` and `edit` take them (`--phone`/`--email` repeatable, `edit --add-phone`,
`--rm-phone`, ...), `show` lists them all, `due` carries the first phone and e-mail. The
contact's own phone and e-mail (what `show --json` gives as "phone"/"email") always stay the
first of each. Every test runs on SQLite and PostgreSQL, with explicit dates.
"""

from __future__ import annotations

import pytest
from helpers import ok, refused

from followup.models import Contact, ContactDetail
from followup.services import add_details, details_of, move_details, parse_detail, set_details, sync_details

pytestmark = pytest.mark.backends("sqlite", "postgresql")

TODAY = "2026-11-23"


def shown(cli, who: str) -> dict:
    return ok(cli("show", who, "--json", today=TODAY)).json()["contact"]


def phones(cli, who: str) -> list[tuple[str, str | None]]:
    return [(p["value"], p["label"]) for p in shown(cli, who)["phones"]]


def emails(cli, who: str) -> list[tuple[str, str | None]]:
    return [(e["value"], e["label"]) for e in shown(cli, who)["emails"]]


def detail_rows(dump) -> list[dict]:
    columns, _, rows = dump()["contact_detail"]
    return [dict(zip(columns, row, strict=True)) for row in rows]


# ---------------------------------------------------------------- add, labels


def test_add_keeps_every_phone_and_email_in_order_with_labels(cli):
    ok(
        cli(
            "add", "Sue Chen",
            "--phone", "mobile: +86 138 0000 0000",
            "--phone", "work phone: (010) 6500-1234 ext 12",
            "--phone", "021 5555 6666",
            "--email", "work: Sue.Chen@Acme.com",
            "--email", "sue@home.cn",
            today=TODAY,
        )
    )  # fmt: skip
    contact = shown(cli, "Sue Chen")
    assert contact["phones"] == [
        {"value": "+86 138 0000 0000", "label": "mobile"},
        {"value": "(010) 6500-1234 ext 12", "label": "work phone"},
        {"value": "021 5555 6666", "label": None},
    ]
    assert contact["emails"] == [
        {"value": "Sue.Chen@Acme.com", "label": "work"},
        {"value": "sue@home.cn", "label": None},
    ]
    # the contact's phone and e-mail are the first of each
    assert (contact["phone"], contact["email"]) == ("+86 138 0000 0000", "Sue.Chen@Acme.com")


def test_detail_rows_hold_positions_and_search_keys(cli, dump):
    ok(cli("add", "Sue Chen", "--phone", "mobile: +86 138-0000-0000", "--phone", "010 6500 1234", today=TODAY))
    ok(cli("add", "Tom Wu", "--email", "Tom.Wu@Example.COM", today=TODAY))
    rows = sorted(detail_rows(dump), key=lambda r: (r["contact_id"], r["kind"], r["position"]))
    assert [(r["kind"], r["value"], r["label"], r["position"], r["search_key"]) for r in rows] == [
        ("phone", "+86 138-0000-0000", "mobile", 0, "8613800000000"),
        ("phone", "010 6500 1234", None, 1, "01065001234"),
        ("email", "Tom.Wu@Example.COM", None, 0, "tom.wu@example.com"),
    ]


@pytest.mark.parametrize(
    ("given", "value", "label"),
    [
        ("mobile: +86 138 0000 0000", "+86 138 0000 0000", "mobile"),
        ("mobile:+86 138 0000 0000", "+86 138 0000 0000", "mobile"),
        ("手机：138 0000 0000", "138 0000 0000", "手机"),  # a Chinese label and a full-width colon
        ("Work  Phone : 010 6500 1234", "010 6500 1234", "Work Phone"),
        ("tel:+8613800000000", "+8613800000000", None),  # a tel: link is a number, not a label
        ("  +86 138 0000 0000  ", "+86 138 0000 0000", None),
        ("555.123.4567 x89", "555.123.4567 x89", None),
        ("+1 (555) 123/4567", "+1 (555) 123/4567", None),
    ],
)
def test_a_label_is_the_words_before_the_first_colon(cli, given, value, label):
    ok(cli("add", "Sue Chen", "--phone", given, today=TODAY))
    assert phones(cli, "Sue Chen") == [(value, label)]
    assert shown(cli, "Sue Chen")["phone"] == value


def test_an_email_label_and_a_mailto_link(cli):
    ok(cli("add", "Sue Chen", "--email", "私人: sue@163.com", "--email", "mailto:sue@acme.com", today=TODAY))
    assert emails(cli, "Sue Chen") == [("sue@163.com", "私人"), ("sue@acme.com", None)]


def test_the_same_number_twice_is_kept_once(cli):
    ok(cli("add", "Sue Chen", "--phone", "138 0000 0000", "--phone", "mobile: 138-0000-0000", today=TODAY))
    assert phones(cli, "Sue Chen") == [("138 0000 0000", "mobile")]


# ---------------------------------------------------------------- edit


@pytest.fixture
def sue(cli) -> None:
    ok(
        cli(
            "add", "Sue Chen",
            "--phone", "mobile: +86 138 0000 0000",
            "--phone", "work: 010 6500 1234",
            "--email", "sue@acme.com",
            today=TODAY,
        )
    )  # fmt: skip


def test_edit_phone_replaces_every_phone(cli, sue):
    run = ok(cli("edit", "Sue", "--phone", "home: 021 5555 6666", today=TODAY))
    assert "phones" in run.stdout
    assert phones(cli, "Sue") == [("021 5555 6666", "home")]
    assert shown(cli, "Sue")["phone"] == "021 5555 6666"
    assert emails(cli, "Sue") == [("sue@acme.com", None)]  # e-mails untouched


def test_edit_phone_repeated_sets_the_order(cli, sue):
    ok(cli("edit", "Sue", "--phone", "work: 010 6500 1234", "--phone", "+86 138 0000 0000", today=TODAY))
    assert phones(cli, "Sue") == [("010 6500 1234", "work"), ("+86 138 0000 0000", None)]
    assert shown(cli, "Sue")["phone"] == "010 6500 1234"


def test_edit_empty_phone_and_email_clear_them(cli, sue):
    ok(cli("edit", "Sue", "--phone", "", "--email", "", today=TODAY))
    contact = shown(cli, "Sue")
    assert (contact["phones"], contact["emails"], contact["phone"], contact["email"]) == ([], [], None, None)


def test_edit_add_phone_appends_and_the_main_one_stays(cli, sue):
    ok(cli("edit", "Sue", "--add-phone", "home: 021 5555 6666", "--add-email", "Sue@Home.cn", today=TODAY))
    assert phones(cli, "Sue") == [
        ("+86 138 0000 0000", "mobile"),
        ("010 6500 1234", "work"),
        ("021 5555 6666", "home"),
    ]
    assert emails(cli, "Sue") == [("sue@acme.com", None), ("Sue@Home.cn", None)]
    assert shown(cli, "Sue")["phone"] == "+86 138 0000 0000"


def test_adding_a_known_number_only_relabels_it(cli, sue):
    ok(cli("edit", "Sue", "--add-phone", "office: 010-6500-1234", today=TODAY))
    assert phones(cli, "Sue") == [("+86 138 0000 0000", "mobile"), ("010 6500 1234", "office")]
    run = ok(cli("edit", "Sue", "--add-phone", "01065001234", today=TODAY))
    assert "nothing to change" in run.stdout
    assert phones(cli, "Sue") == [("+86 138 0000 0000", "mobile"), ("010 6500 1234", "office")]


@pytest.mark.parametrize("typed", ["+86 138 0000 0000", "13800000000", "(138) 0000-0000", "mobile: 0086 138 0000 0000"])
def test_rm_phone_matches_by_digits_and_the_next_becomes_the_main_one(cli, sue, typed):
    ok(cli("edit", "Sue", "--rm-phone", typed, today=TODAY))
    assert phones(cli, "Sue") == [("010 6500 1234", "work")]
    assert shown(cli, "Sue")["phone"] == "010 6500 1234"


def test_rm_email_ignores_case_and_the_last_one_clears_the_contacts_email(cli, sue):
    ok(cli("edit", "Sue", "--rm-email", "SUE@ACME.COM", today=TODAY))
    contact = shown(cli, "Sue")
    assert (contact["emails"], contact["email"]) == ([], None)


def test_replace_then_remove_then_add_in_one_edit(cli, sue):
    ok(
        cli(
            "edit", "Sue",
            "--phone", "a: 111 111", "--phone", "b: 222 222",
            "--rm-phone", "111-111",
            "--add-phone", "c: 333 333",
            today=TODAY,
        )
    )  # fmt: skip
    assert phones(cli, "Sue") == [("222 222", "b"), ("333 333", "c")]
    assert shown(cli, "Sue")["phone"] == "222 222"


def test_the_positions_stay_dense_after_edits(cli, sue, dump):
    ok(cli("edit", "Sue", "--add-phone", "021 5555 6666", "--rm-phone", "010 6500 1234", today=TODAY))
    positions = sorted((r["kind"], r["position"], r["value"]) for r in detail_rows(dump))
    assert positions == [
        ("email", 0, "sue@acme.com"),
        ("phone", 0, "+86 138 0000 0000"),
        ("phone", 1, "021 5555 6666"),
    ]


# ---------------------------------------------------------------- add-referral


def test_add_referral_gives_a_new_prospect_its_details(cli):
    ok(
        cli(
            "add-referral", "欧阳娜娜", "--from", "Bob Li",
            "--phone", "手机：139 1234 5678", "--phone", "010 8888 9999", "--email", "ouyang@xiaomi.com",
            "--on", "2026-11-20", today=TODAY,
        )
    )  # fmt: skip
    assert phones(cli, "欧阳娜娜") == [("139 1234 5678", "手机"), ("010 8888 9999", None)]
    assert shown(cli, "欧阳娜娜")["email"] == "ouyang@xiaomi.com"
    assert shown(cli, "Bob Li")["phones"] == []  # the referrer gets none of them


def test_add_referral_adds_new_details_after_an_existing_prospects(cli, sue):
    ok(cli("add-referral", "Sue Chen", "--from", "Bob Li", "--phone", "13800000000", "--phone", "home: 021 5555 6666",
           "--on", "2026-11-20", today=TODAY))  # fmt: skip
    assert phones(cli, "Sue Chen") == [
        ("+86 138 0000 0000", "mobile"),  # already known (with its country code): kept as it was
        ("010 6500 1234", "work"),
        ("021 5555 6666", "home"),
    ]
    assert shown(cli, "Sue Chen")["phone"] == "+86 138 0000 0000"


# ---------------------------------------------------------------- bad input


BAD = [
    # (args, words the one error line says)
    (["add", "New", "--phone", "12"], ["--phone", "'12'", "not a phone number", "+86 138 0000 0000"]),
    (["add", "New", "--phone", "call me maybe"], ["--phone", "not a phone number"]),
    (["add", "New", "--phone", "138 0000 0000, 139 1111 2222"], ["--phone", "not a phone number"]),
    (["add", "New", "--phone", "1" * 31], ["--phone", "not a phone number"]),
    (["add", "New", "--phone", "138\x1b[31m0000"], ["--phone", "not a phone number"]),
    (["add", "New", "--phone", "mobile:"], ["--phone", "has a label but no phone number"]),
    (["add", "New", "--phone", "mobile: x"], ["--phone", "not a phone number"]),
    (["add", "New", "--email", "sue"], ["--email", "'sue'", "not an e-mail address", "sue@acme.com"]),
    (["add", "New", "--email", "@acme.com"], ["--email", "not an e-mail address"]),
    (["add", "New", "--email", "sue@"], ["--email", "not an e-mail address"]),
    (["add", "New", "--email", "sue@acme@com"], ["--email", "not an e-mail address"]),
    (["add", "New", "--email", "sue chen@acme.com"], ["--email", "not an e-mail address"]),
    (["add", "New", "--email", "work:"], ["--email", "has a label but no e-mail address"]),
    (["add", "New", "--phone", "138 0000 0000", "--email", "nope"], ["--email"]),  # nothing of it is kept
    (["add-referral", "New", "--from", "Sue Chen", "--phone", "abc"], ["--phone", "not a phone number"]),
    (["add-referral", "Sue Chen", "--from", "Bob", "--email", "x"], ["--email", "not an e-mail address"]),
    (["edit", "Sue", "--phone", "+86 138 0000 0000 ext"], ["--phone", "not a phone number"]),
    (["edit", "Sue", "--add-phone", "ext 12"], ["--add-phone", "not a phone number"]),
    (["edit", "Sue", "--add-email", "no-at-sign"], ["--add-email", "not an e-mail address"]),
    (["edit", "Sue", "--rm-phone", "139 0000 0000"], ["--rm-phone", "Sue Chen's phones", "+86 138 0000 0000"]),
    (["edit", "Sue", "--rm-email", "tom@acme.com"], ["--rm-email", "Sue Chen's e-mails", "sue@acme.com"]),
    (["edit", "Sue", "--rm-phone", "phone"], ["--rm-phone", "not a phone number"]),
    # a bad detail after a good change: the whole edit is refused
    (["edit", "Sue", "--name", "Susan", "--phone", "1", "--tag", "vip"], ["--phone"]),
    (["edit", "Sue", "--add-phone", "021 5555 6666", "--rm-phone", "999 999"], ["--rm-phone"]),
]


@pytest.mark.parametrize(("args", "words"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_a_bad_phone_or_email_is_refused_and_nothing_is_written(cli, sue, dump, args, words):
    before = dump()
    refused(cli(*args, today=TODAY), *words)
    assert dump() == before


# ---------------------------------------------------------------- show, due


def test_show_lists_every_phone_and_email_with_its_label(cli, sue):
    ok(cli("edit", "Sue", "--add-email", "私人: sue@163.com", today=TODAY))
    out = ok(cli("show", "Sue", today=TODAY)).stdout
    assert "phone: +86 138 0000 0000 (mobile)" in out
    assert "phone: 010 6500 1234 (work)" in out
    assert "e-mail: sue@acme.com\n" in out
    assert "e-mail: sue@163.com (私人)" in out
    assert out.index("+86 138") < out.index("010 6500") < out.index("sue@acme") < out.index("sue@163")


@pytest.fixture
def morning(seed) -> None:
    seed(
        [
            ["add", "Sue Chen", "--phone", "mobile: +86 138 0000 0000", "--phone", "010 6500 1234",
             "--email", "sue@acme.com", "--first", "2026-11-20"],
            ["add", "陈素", "--company", "华为技术", "--phone", "139 1234 5678", "--first", "2026-11-23"],
            ["add", "Tom Wu", "--first", "2026-11-25"],
        ],
        today="2026-11-19",
    )  # fmt: skip


def test_due_json_items_carry_the_first_phone_and_email_or_null(cli, morning):
    report = ok(cli("due", "--days", "3", "--json", today=TODAY)).json()
    items = {i["contact"]: i for i in report["due"] + report["upcoming"]}
    assert (items["Sue Chen"]["phone"], items["Sue Chen"]["email"]) == ("+86 138 0000 0000", "sue@acme.com")
    assert (items["陈素"]["phone"], items["陈素"]["email"]) == ("139 1234 5678", None)
    assert (items["Tom Wu"]["phone"], items["Tom Wu"]["email"]) == (None, None)


def test_due_json_follows_a_changed_first_phone(cli, morning):
    ok(cli("edit", "Sue Chen", "--rm-phone", "13800000000", today=TODAY))
    sue = next(i for i in ok(cli("due", "--json", today=TODAY)).json()["due"] if i["contact"] == "Sue Chen")
    assert sue["phone"] == "010 6500 1234"


def due_header(out: str) -> str:
    return next(line for line in out.splitlines() if "contact" in line and "why" in line)


def test_due_table_shows_the_first_phone_on_a_wide_screen(cli, morning):
    out = ok(cli("due", "--days", "3", today=TODAY, env={"COLUMNS": "200"})).stdout
    assert "phone" in due_header(out)
    assert "+86 138 0000 0000" in out and "139 1234 5678" in out
    assert "010 6500 1234" not in out  # only the first phone


@pytest.mark.parametrize("columns", ["80", "60"])
def test_due_table_drops_the_phone_column_on_a_narrow_screen(cli, morning, columns):
    out = ok(cli("due", "--days", "3", today=TODAY, env={"COLUMNS": columns})).stdout
    assert "phone" not in due_header(out)
    assert "138 0000" not in out and "139 1234" not in out
    assert all(len(line) <= int(columns) for line in out.splitlines() if line[:1] in "┏┃┡│└")


def test_due_table_has_no_phone_column_when_nobody_has_a_phone(cli):
    ok(cli("add", "Tom Wu", "--first", "2026-11-23", today=TODAY))
    out = ok(cli("due", today=TODAY, env={"COLUMNS": "200"})).stdout
    assert "phone" not in due_header(out)


def test_rm_deletes_the_contacts_details(cli, sue, dump):
    ok(cli("add", "Tom Wu", "--phone", "555 1234", today=TODAY))
    ok(cli("rm", "Sue", "--yes", today=TODAY))
    assert [(r["value"]) for r in detail_rows(dump)] == ["555 1234"]


# ---------------------------------------------------------------- the services the rules live in


def _contact(session, name: str) -> Contact:
    contact = Contact(name=name, name_key=name.casefold())
    session.add(contact)
    session.flush()
    return contact


def _phone(text: str):
    return parse_detail("phone", text, option="--phone")


def test_set_details_keeps_the_row_of_a_number_already_there(session):
    sue = _contact(session, "Sue Chen")
    set_details(session=session, contact=sue, kind="phone", details=[_phone("138 0000 0000"), _phone("010 6500 1234")])
    kept = details_of(session=session, contact_id=sue.id, kind="phone")[1]
    changed = set_details(session=session, contact=sue, kind="phone", details=[_phone("work: 010-6500-1234")])
    assert changed
    rows = details_of(session=session, contact_id=sue.id)
    assert [(r.id, r.value, r.label, r.position) for r in rows] == [(kept.id, "010-6500-1234", "work", 0)]
    assert sue.phone == "010-6500-1234"
    assert not set_details(session=session, contact=sue, kind="phone", details=[_phone("work: 010-6500-1234")])


def test_move_details_appends_the_others_after_the_keepers_and_drops_repeats(session):
    keep, other = _contact(session, "Sue Chen"), _contact(session, "Sue C.")
    add_details(session=session, contact=keep, details=[_phone("138 0000 0000")])
    add_details(
        session=session,
        contact=other,
        details=[
            _phone("mobile: 138-0000-0000"),
            _phone("work: 010 6500 1234"),
            parse_detail("email", "sue@acme.com", option="--email"),
        ],
    )
    assert move_details(session=session, source=other, target=keep) == 3
    rows = details_of(session=session, contact_id=keep.id)
    assert [(r.kind, r.value, r.label, r.position) for r in rows] == [
        ("email", "sue@acme.com", None, 0),
        ("phone", "138 0000 0000", "mobile", 0),  # kept once; the label it lacked comes from the other
        ("phone", "010 6500 1234", "work", 1),
    ]
    assert (keep.phone, keep.email) == ("138 0000 0000", "sue@acme.com")
    assert (other.phone, other.email) == (None, None)
    assert details_of(session=session, contact_id=other.id) == []


def test_sync_details_restores_the_rules_after_rows_change_behind_it(session):
    sue = _contact(session, "Sue Chen")
    for position, value in ((5, "010 6500 1234"), (2, "138 0000 0000")):
        session.add(ContactDetail(contact_id=sue.id, kind="phone", value=value, position=position, search_key=value))
    sync_details(session=session, contact=sue)
    assert [(r.value, r.position) for r in details_of(session=session, contact_id=sue.id)] == [
        ("138 0000 0000", 0),
        ("010 6500 1234", 1),
    ]
    assert (sue.phone, sue.email) == ("138 0000 0000", None)
