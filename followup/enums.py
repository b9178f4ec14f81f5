"""The domain's fixed vocabularies. Plain enums, so the command tree can use them without SQLModel."""

from enum import StrEnum


class Status(StrEnum):
    prospect = "prospect"
    customer = "customer"
    repeat = "repeat"
    lost = "lost"


class StatusFilter(StrEnum):
    """What `list --status` accepts: `customer` includes repeat customers."""

    prospect = "prospect"
    customer = "customer"
    repeat = "repeat"
    lost = "lost"
    all = "all"


class Role(StrEnum):
    acceptor = "acceptor"
    dissatisfied = "dissatisfied"
    power = "power"


class Level(StrEnum):
    acquaintance = "acquaintance"
    dating = "dating"
    partner = "partner"
    ally = "ally"


class Channel(StrEnum):
    call = "call"
    email = "email"
    sms = "sms"
    visit = "visit"
    meeting = "meeting"
    meal = "meal"
    gift = "gift"
    demo = "demo"
    other = "other"


class Outcome(StrEnum):
    reached = "reached"
    no_answer = "no-answer"
    left_message = "left-message"
    meeting_set = "meeting-set"
    committed = "committed"
    declined = "declined"
    stop = "stop"


class Source(StrEnum):
    """Referral sources, most effective first."""

    vendor = "vendor"
    customer = "customer"
    declined = "declined"
    exchange = "exchange"
    network = "network"


class Kind(StrEnum):
    """What a follow-up is for. Values are part of the JSON contract: add, never rename."""

    post_sale_2 = "post_sale_2"
    post_sale_4 = "post_sale_4"
    post_sale_8 = "post_sale_8"
    checkin = "checkin"
    coach = "coach"
    thank_referrer = "thank_referrer"
    touch = "touch"
    manual = "manual"
    complaint = "complaint"  # close the loop on an open complaint
    learning_phase = "learning_phase"  # a complex sale's learning phase: offer help
    inform = "inform"  # tell a contact who wants news about a change (`announce`)
    birthday = "birthday"  # a few days before a contact's birthday


class Purpose(StrEnum):
    """The five purposes of customer contact (`touch --purpose`)."""

    care = "care"
    info = "info"
    deal = "deal"
    service = "service"
    intel = "intel"


class ComplaintKind(StrEnum):
    """Complaint kinds, product problems first, then service problems."""

    missing_function = "missing-function"
    too_complex = "too-complex"
    packaging = "packaging"
    inconvenient = "inconvenient"
    punctuality = "punctuality"
    attitude = "attitude"
    skill = "skill"


PRODUCT_COMPLAINTS = (
    ComplaintKind.missing_function,
    ComplaintKind.too_complex,
    ComplaintKind.packaging,
    ComplaintKind.inconvenient,
)


def complaint_class(kind: str) -> str:
    """`product` or `service`: what the company or what the salesperson has to fix."""
    return "product" if kind in {k.value for k in PRODUCT_COMPLAINTS} else "service"


class DetailKind(StrEnum):
    """What a contact detail is (the `kind` of a `contact_detail` row)."""

    phone = "phone"
    email = "email"


class FollowupStatus(StrEnum):
    open = "open"
    done = "done"
    skipped = "skipped"
    cancelled = "cancelled"


# The order of the morning list within a day: 2-4-8 first, then the referrer's tasks,
# then prospect touches and hand-made follow-ups, then the yearly check-ins.
KIND_ORDER = {
    Kind.post_sale_2: 0,
    Kind.post_sale_4: 1,
    Kind.post_sale_8: 2,
    Kind.complaint: 3,
    Kind.learning_phase: 4,
    Kind.coach: 5,
    Kind.thank_referrer: 6,
    Kind.birthday: 7,
    Kind.touch: 8,
    Kind.manual: 9,
    Kind.inform: 10,
    Kind.checkin: 11,
}

POST_SALE_KINDS = (Kind.post_sale_2, Kind.post_sale_4, Kind.post_sale_8)
