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
    Kind.coach: 3,
    Kind.thank_referrer: 4,
    Kind.touch: 5,
    Kind.manual: 6,
    Kind.checkin: 7,
}

POST_SALE_KINDS = (Kind.post_sale_2, Kind.post_sale_4, Kind.post_sale_8)
