"""What a `kind = "aws"` source may say in its `options` table."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from scanners.base import ScannerOptions

ServiceName = Literal[
    "autoscaling", "ec2", "rds", "lambda", "ecs", "eks", "elbv2", "mgn", "backup", "cloudwatch"
]
ALL_SERVICES: tuple[ServiceName, ...] = (
    # Auto Scaling first: EC2 instances and EKS node groups take their AZ spread from it.
    "autoscaling",
    "ec2",
    "rds",
    "lambda",
    "ecs",
    "eks",
    "elbv2",
    "mgn",
    # Backups and CloudWatch last: they are asked only of the instances and databases just
    # listed, which take their facts and readings from them.
    "backup",
    "cloudwatch",
)

AccountId = Annotated[str, StringConstraints(pattern=r"^\d{12}$")]
RegionName = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[a-z]+)+-\d+$")]


class AwsOptions(ScannerOptions):
    # A named profile from ~/.aws; none means boto3's standard chain (env, container, instance).
    profile: str | None = None
    # "all" means each account's enabled regions, from EC2 DescribeRegions.
    regions: Literal["all"] | list[RegionName] = Field(default="all")
    # "organization" lists the AWS Organization's active accounts from the management account.
    accounts: Literal["self", "organization"] | list[AccountId] = "self"
    # Role name assumed in every account other than the credentials' own.
    assume_role: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_+=,.@/-]+$", max_length=512)
    external_id_env: str | None = None
    role_session_name: str = Field(
        default="estate-scan", pattern=r"^[A-Za-z0-9_+=,.@-]+$", min_length=2, max_length=64
    )
    # Where STS, Organizations and DescribeRegions are called; none means the profile's region.
    home_region: RegionName | None = None
    # Another endpoint for every call (tests, AWS-compatible clouds), per region or per service;
    # a service's entry beats a region's, which beats `endpoint_url`.
    endpoint_url: str | None = None
    region_endpoint_urls: dict[str, str] = Field(default_factory=dict)
    service_endpoint_urls: dict[str, str] = Field(default_factory=dict)
    services: list[ServiceName] = Field(default_factory=lambda: list(ALL_SERVICES), min_length=1)
    link_tag: str = Field(default="estate:source-server", min_length=1)
    max_workers: int = Field(default=8, ge=1, le=64)
    max_attempts: int = Field(default=5, ge=1, le=20)
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=60.0, gt=0)
    # Items per page asked of each list call, within that call's own limits; none = its default.
    page_size: int | None = Field(default=None, ge=1, le=1000)

    @model_validator(mode="after")
    def _role_for_organization(self) -> AwsOptions:
        if self.accounts == "organization" and not self.assume_role:
            raise ValueError("accounts = 'organization' needs assume_role (a role name)")
        return self
