"""S3 actions that write: what makes a public bucket grant a write grant."""

from __future__ import annotations

S3_WRITE_ACTIONS: frozenset[str] = frozenset(
    {
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "s3:PutObjectAcl",
        "s3:PutObjectVersionAcl",
        "s3:PutBucketAcl",
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
        "s3:DeleteBucket",
        "s3:PutBucketWebsite",
        "s3:DeleteBucketWebsite",
        "s3:PutLifecycleConfiguration",
        "s3:PutBucketCORS",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutEncryptionConfiguration",
        "s3:PutBucketVersioning",
        "s3:PutBucketLogging",
        "s3:PutBucketNotification",
        "s3:PutBucketTagging",
        "s3:PutBucketOwnershipControls",
        "s3:PutBucketRequestPayment",
        "s3:PutBucketObjectLockConfiguration",
        "s3:PutReplicationConfiguration",
        "s3:PutAccelerateConfiguration",
        "s3:PutInventoryConfiguration",
        "s3:PutAnalyticsConfiguration",
        "s3:PutMetricsConfiguration",
        "s3:PutIntelligentTieringConfiguration",
        "s3:RestoreObject",
        "s3:PutObjectTagging",
        "s3:PutObjectVersionTagging",
        "s3:DeleteObjectTagging",
        "s3:DeleteObjectVersionTagging",
        "s3:PutObjectRetention",
        "s3:PutObjectLegalHold",
        "s3:BypassGovernanceRetention",
        "s3:AbortMultipartUpload",
        "s3:ReplicateObject",
        "s3:ReplicateDelete",
        "s3:ReplicateTags",
    }
)
"""Concrete S3 actions that write or delete data or change a bucket's configuration or permissions."""
