"""The one way screens write dates and times (FORMAT_MODULE_PATH in settings).

Templates write `{{ day|date }}` and `{{ moment|date:"DATETIME_FORMAT" }}`; Python writes
reviews.dates.screen_date and screen_moment; the Django admin uses the same two. Times are
in the plan's time zone (DJANGO_TIME_ZONE). Letters have their own, longer format
(reviews.letter_html.letter_date). Input formats stay Django's (2026-03-02 is accepted).
"""

DATE_FORMAT = "M j, Y"  # Mar 2, 2026
DATETIME_FORMAT = "M j, Y, H:i"  # Mar 2, 2026, 14:05
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
