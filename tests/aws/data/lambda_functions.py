"""ListFunctions answers with each function's ListTags merged under "Tags"."""

from typing import Any

FUNCTIONS: list[dict[str, Any]] = [
    {
        "FunctionName": "bin-collection-reminders",
        "FunctionArn": "arn:aws:lambda:eu-west-2:111122223333:function:bin-collection-reminders",
        "Runtime": "python3.12",
        "MemorySize": 512,
        "Timeout": 30,
        "PackageType": "Zip",
        "Architectures": ["arm64"],
        "LastModified": "2026-10-02T08:11:53.000+0000",
        "State": "Active",
        "Tags": {"service": "waste", "estate:source-server": "batch01"},
    },
    {
        "FunctionName": "library-sync",
        "FunctionArn": "arn:aws:lambda:eu-west-2:111122223333:function:library-sync",
        "MemorySize": 128,
        "PackageType": "Image",
        "VpcConfig": {"SubnetIds": ["subnet-0aa"], "SecurityGroupIds": ["sg-0aa"]},
        "Tags": {},
    },
]
