"""The names of the schema steps this release knows, in order.

`migrations.MIGRATIONS` pairs each with its function (and refuses to load if the two lists
differ); this list alone imports nothing, so the fast read path (see `sql.fast_reader`) can
tell an up-to-date database without loading SQLAlchemy.
"""

STEPS = (
    "m001_initial",
    "m002_big_amounts",
    "m003_followup_contact_due_index",
    "m004_contact_owner",
    "m005_contact_details",
    "m006_followup_time",
    "m007_selling_practice",
    "m008_followup_kind_index",
)
