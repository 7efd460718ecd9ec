"""Period detection from titles, file names, opening text and post dates."""

import pytest

from ingest.metadata import find_period


@pytest.mark.parametrize(
    ("title", "file_name", "text", "hint", "expected"),
    [
        ("DM Monthly Status Report for September 2021", "x.html", "", None, "2021-09"),
        ("DM Status Report for Sept. 2022", "x.txt", "", None, "2022-09"),
        ("Status report 2021-09", "x.txt", "", None, "2021-09"),
        ("Status report", "dm-status-202005.txt", "", None, "2020-05"),
        ("Status report", "2021_11_report.pdf", "", None, "2021-11"),
        ("Status report", "notes.txt", "The report covering January 2015 follows.", None, "2015-01"),
        # A title naming only the month takes the year from the name, then the body.
        ("DM Status Report for March", "DM_Status_March_2022.html", "", None, "2022-03"),
        ("DM Status Report for March", "DM_Status_March.html", "Work in 2023 went on.", None, "2023-03"),
        # ...or from the post date: December's report posted in January is last year's.
        ("DM Status Report for December", "post.html", "", "2022-01", "2021-12"),
        ("DM Status Report for November", "post.html", "", "2021-12", "2021-11"),
        # The title wins over a body that names another month (a copy-paste error).
        ("DM Monthly Status Report for May 2021", "x.txt", "covering April 2021", None, "2021-05"),
        # "may" as a verb names no month.
        ("What we may do next", "x.txt", "", None, None),
        ("Untitled notes", "notes.txt", "No dates here.", None, None),
        ("Untitled notes", "notes.txt", "No dates here.", "2020-02", "2020-02"),
        # Version numbers and long digit runs are not periods.
        ("Release v23.0", "build-20211234.txt", "", None, None),
    ],
)
def test_find_period(title, file_name, text, hint, expected):
    assert find_period(title, file_name, text, hint) == expected


@pytest.mark.parametrize(
    ("title", "file_name", "text", "hint", "expected"),
    [
        # The report's own month in its first lines beats the posting date of a mail or an
        # archive page, and a file name that records when it was sent.
        ("Monthly report", "000231.html", "Hi all, here is the monthly report for September 2023.",
         "2023-10", "2023-09"),
        ("Pebblestack update", "update-2024-05-02.eml", "April 2024 report\nHi all,", "2024-05",
         "2024-04"),
        ("Status", "notes.txt", "This update covers March 2024 and part of April.", "2024-04",
         "2024-03"),
        # Sent and Date lines in the opening text are not the period.
        ("Monthly report", "x.html", "Sent: 2024-03-05 09:41\nThe February 2024 report follows.",
         None, "2024-02"),
        ("Monthly report", "x.html", "Date: Tue, 5 Mar 2024\nNothing else.", "2024-03", "2024-03"),
        # With no month named anywhere, the posting date decides.
        ("Widget progress", "mail.txt", "Hello, the parser is done.", "2024-07", "2024-07"),
        # A month that is not the report's own ("the review in May 2024") leaves the file name first.
        ("Status", "dm-status-202403.txt", "We prepared the review in May 2024.", None, "2024-03"),
    ],
)
def test_the_reports_own_month_comes_before_posting_dates(title, file_name, text, hint, expected):
    assert find_period(title, file_name, text, hint) == expected
