using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

using EcommerceAws.Engine.Aws;

namespace EcommerceAws.Engine.Assets
{
    /// <summary>An S3 bucket policy as JSON, edited statement by statement so statements we do not own survive.</summary>
    internal sealed class BucketPolicyDocument
    {
        public const string PublicReadSid = "EcommerceAwsPublicRead";
        public const string CloudFrontReadSid = "EcommerceAwsCloudFrontRead";

        private readonly JsonObject root;

        private BucketPolicyDocument(JsonObject root) => this.root = root;

        public static BucketPolicyDocument Parse(string json)
        {
            JsonObject root = string.IsNullOrWhiteSpace(json) ? null : JsonNode.Parse(json) as JsonObject;
            root ??= new JsonObject();
            root["Version"] ??= "2012-10-17";
            if (root["Statement"] is JsonObject single) root["Statement"] = new JsonArray(single.DeepClone()); // one statement may be written without the array
            root["Statement"] ??= new JsonArray();
            return new BucketPolicyDocument(root);
        }

        private JsonArray Statements => (JsonArray)root["Statement"];

        public bool IsEmpty => Statements.Count == 0;

        public string[] StatementIds => Statements.Select(s => s?["Sid"]?.GetValue<string>()).Where(s => s != null).ToArray();

        public JsonObject Find(string sid) => Statements.OfType<JsonObject>().FirstOrDefault(s => s["Sid"]?.GetValue<string>() == sid);

        public IEnumerable<JsonObject> FindAll(string sid) => Statements.OfType<JsonObject>().Where(s => s["Sid"]?.GetValue<string>() == sid);

        /// <summary>Replaces every statement with this Sid by the given one (or appends it); returns true when the policy changed.</summary>
        public bool Upsert(JsonObject statement)
        {
            string sid = statement["Sid"].GetValue<string>();
            JsonObject[] current = FindAll(sid).ToArray();
            if (current.Length == 1 && JsonNode.DeepEquals(current[0], statement)) return false;
            foreach (JsonObject old in current) Statements.Remove(old);
            Statements.Add(statement);
            return true;
        }

        public bool Remove(string sid)
        {
            JsonObject[] current = FindAll(sid).ToArray();
            foreach (JsonObject old in current) Statements.Remove(old);
            return current.Length > 0;
        }

        /// <summary>Statements S3's Block Public Access counts as public: Allow to any principal ("*") without a condition.</summary>
        public string[] PublicStatementIds => Statements
            .Select((s, i) => (Statement: s as JsonObject, Number: i + 1)) // numbered in the policy, not among the public ones
            .Where(x => x.Statement != null && IsPublic(x.Statement))
            .Select(x => x.Statement["Sid"]?.GetValue<string>() ?? $"(statement {x.Number}, no Sid)").ToArray();

        private static bool IsPublic(JsonObject statement)
        {
            if (!string.Equals(statement["Effect"]?.GetValue<string>(), "Allow", StringComparison.OrdinalIgnoreCase)) return false;
            if (statement["Condition"] is JsonObject condition && condition.Count > 0) return false;
            JsonNode principal = statement["Principal"];
            if (principal is JsonValue value) return value.GetValue<string>() == "*";
            if (principal is JsonObject byType && byType["AWS"] is JsonNode aws)
                return aws is JsonArray list ? list.Any(p => p?.GetValue<string>() == "*") : aws.GetValue<string>() == "*";
            return false;
        }

        public string ToJson() => root.ToJsonString(new JsonSerializerOptions { WriteIndented = false });

        public static JsonObject PublicReadStatement(string bucketName, AwsPartition partition) => new JsonObject
        {
            ["Sid"] = PublicReadSid,
            ["Effect"] = "Allow",
            ["Principal"] = "*",
            ["Action"] = "s3:GetObject",
            ["Resource"] = partition.Arn("s3", "", "", bucketName + "/*"),
        };

        /// <summary>Lets CloudFront (through the OAC) read objects, only on behalf of this one distribution.</summary>
        public static JsonObject CloudFrontReadStatement(string bucketName, AwsPartition partition, string distributionArn) => new JsonObject
        {
            ["Sid"] = CloudFrontReadSid,
            ["Effect"] = "Allow",
            ["Principal"] = new JsonObject { ["Service"] = "cloudfront.amazonaws.com" },
            ["Action"] = "s3:GetObject",
            ["Resource"] = partition.Arn("s3", "", "", bucketName + "/*"),
            ["Condition"] = new JsonObject { ["StringEquals"] = new JsonObject { ["AWS:SourceArn"] = distributionArn } },
        };
    }
}
