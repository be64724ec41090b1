"""The `aws` source kind: EC2, RDS, Lambda, ECS, EKS, Auto Scaling, ELBv2 and MGN."""

from scanners.aws.scanner import AwsScanner

__all__ = ["AwsScanner"]
