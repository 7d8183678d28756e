using System.Collections.Generic;
using System.Threading.Tasks;
using EcommerceAws.Output;

namespace EcommerceAws.Contract
{
    /// <summary>What New-AssetCdn asks for (issue 3 §2).</summary>
    public sealed class CdnSpec
    {
        public string BucketName { get; init; }
        /// <summary>PriceClass_All, PriceClass_200 or PriceClass_100 (no edge in Africa). Null: PriceClass_All on create, kept as is on an existing distribution.</summary>
        public string PriceClass { get; init; }
        /// <summary>Null: none on create, kept as is on an existing distribution.</summary>
        public string[] Aliases { get; init; }
        /// <summary>A us-east-1 ACM certificate ARN; required with Aliases.</summary>
        public string AcmCertificateArn { get; init; }
        /// <summary>Null means the guide's "E-commerce ... Assets CDN" comment on create, kept as is on an existing distribution.</summary>
        public string Comment { get; init; }
        /// <summary>Wait for the distribution to be Deployed.</summary>
        public bool Wait { get; init; } = true;
        public IDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    }

    /// <summary>What New-AssetCdn would do: create (no DistributionId) or update the listed members of an existing distribution.</summary>
    public sealed class CdnPlan
    {
        public string DistributionId { get; init; }
        public string[] Changes { get; init; } = System.Array.Empty<string>();
    }

}
