"""Number formats for zh-Hans: Django's own leave out the thousands separator, and an official
reading 3724612.05 万元 at night should not have to count digits."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
DECIMAL_SEPARATOR = "."
