"""GetMetricData answers for CPUUtilization, hourly Average, as botocore parses them (shape
from the CloudWatch API reference): two pages, the first PartialData."""

from datetime import UTC, datetime, timedelta
from typing import Any

START = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)
# q0 (the first instance): 336 hours, 1.0 .. 336.0 percent scaled to 0.25 .. 84.0.
BUSY = [round(0.25 * h, 2) for h in range(1, 337)]
# q1 (revenues-db): 30 hours, all 3.5 percent but one spike.
QUIET = [3.5] * 29 + [90.0]

PAGES: list[dict[str, Any]] = [
    {
        "MetricDataResults": [
            {
                "Id": "q0",
                "Label": "CPUUtilization",
                "Timestamps": [START + timedelta(hours=h) for h in range(200)],
                "Values": BUSY[:200],
                "StatusCode": "PartialData",
            },
            {
                "Id": "q1",
                "Label": "CPUUtilization",
                "Timestamps": [START + timedelta(hours=h) for h in range(30)],
                "Values": QUIET,
                "StatusCode": "Complete",
            },
        ],
        "NextToken": "page-2",
        "Messages": [],
    },
    {
        "MetricDataResults": [
            {
                "Id": "q0",
                "Label": "CPUUtilization",
                "Timestamps": [START + timedelta(hours=h) for h in range(200, 336)],
                "Values": BUSY[200:],
                "StatusCode": "Complete",
            },
            {
                "Id": "q1",
                "Label": "CPUUtilization",
                "Timestamps": [],
                "Values": [],
                "StatusCode": "Complete",
            },
            # The stopped instance: no figures in the window.
            {"Id": "q2", "Label": "CPUUtilization", "Timestamps": [], "Values": []},
        ],
        "Messages": [],
    },
]
