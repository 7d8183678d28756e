using System;

namespace EcommerceAws.Output
{
    /// <summary>A least-privilege IAM policy for EcommerceAws cmdlets: the JSON document plus the same content as objects.</summary>
    public sealed class EcommerceIamPolicy
    {
        /// <summary>The scopes covered (Provision, Migrate, Operate).</summary>
        public string[] Scope { get; init; } = Array.Empty<string>();
        public string AccountId { get; init; }
        public string Region { get; init; }
        public string TableName { get; init; }
        public string BucketName { get; init; }
        public string DistributionId { get; init; }
        public string CacheClusterId { get; init; }
        /// <summary>The AWS partition of the region (aws, aws-cn, aws-us-gov): every ARN in the policy uses it.</summary>
        public string Partition { get; init; }
        /// <summary>Customer managed KMS keys the policy lets the runbook use through DynamoDB and S3.</summary>
        public string[] KmsKeyArn { get; init; } = Array.Empty<string>();
        /// <summary>The policy document (Version 2012-10-17), ready for 'aws iam create-policy --policy-document'.</summary>
        public string Json { get; init; }
        public IamPolicyStatement[] Statements { get; init; } = Array.Empty<IamPolicyStatement>();
        /// <summary>Every action granted on Resource "*", and why IAM needs that.</summary>
        public IamWildcardAction[] WildcardActions { get; init; } = Array.Empty<IamWildcardAction>();
        /// <summary>The AWS operations the module calls in these scopes and the IAM actions each needs.</summary>
        public IamOperationGrant[] Operations { get; init; } = Array.Empty<IamOperationGrant>();
        /// <summary>What the policy could not scope by name, and what else a role may need.</summary>
        public string[] Notes { get; init; } = Array.Empty<string>();

        public override string ToString() => Json;
    }

    /// <summary>One statement of the policy (Effect is always Allow).</summary>
    public sealed class IamPolicyStatement
    {
        public string Sid { get; init; }
        public string Effect { get; init; } = "Allow";
        public string[] Actions { get; init; } = Array.Empty<string>();
        public string[] Resources { get; init; } = Array.Empty<string>();
        /// <summary>Conditions that narrow the statement further (empty for most statements).</summary>
        public IamPolicyCondition[] Conditions { get; init; } = Array.Empty<IamPolicyCondition>();
    }

    /// <summary>One condition of a statement: "Condition": { Operator: { Key: Values } }.</summary>
    public sealed class IamPolicyCondition
    {
        /// <summary>The condition operator, for example StringEquals or ForAllValues:StringLike.</summary>
        public string Operator { get; init; }
        /// <summary>The condition key, for example kms:ViaService or dynamodb:LeadingKeys.</summary>
        public string Key { get; init; }
        public string[] Values { get; init; } = Array.Empty<string>();
    }

    /// <summary>An action that IAM only grants on Resource "*" (or whose resource does not exist yet when it is called).</summary>
    public sealed class IamWildcardAction
    {
        public string Action { get; init; }
        public string Reason { get; init; }
    }

    /// <summary>One client method the engine calls (for example IAmazonS3.PutBucketAsync) and the IAM actions it needs.</summary>
    public sealed class IamOperationGrant
    {
        /// <summary>The client interface: an AWS SDK interface or one of the module's hand-written clients.</summary>
        public string Client { get; init; }
        public string Method { get; init; }
        public string[] Actions { get; init; } = Array.Empty<string>();
        public string[] Scopes { get; init; } = Array.Empty<string>();
        /// <summary>What the actions are scoped to (Table, Bucket, Objects, Distribution, ..., or Any for "*").</summary>
        public string[] ResourceKinds { get; init; } = Array.Empty<string>();
    }
}
