using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Assets;
using EcommerceAws.Engine.Input;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Gets an asset bucket's security and storage settings.</summary>
    /// <remarks>
    /// <para>Returns one AssetBucketInfo per name: region, ARN, the S3 REST domain name CloudFront uses as origin, versioning status, default encryption, whether all four Block Public Access flags are on, the Sids of the bucket policy's statements, and the creation date.</para>
    /// <para>A bucket that does not exist gives a non-terminating BucketNotFound error and the command carries on with the next name.</para>
    /// </remarks>
    /// <example>
    /// <code>Get-AssetBucket -BucketName ecommerce-cameroon-assets | Format-List</code>
    /// <para>Shows every setting of the shop's asset bucket.</para>
    /// </example>
    /// <example>
    /// <code>Get-AssetBucket shop-a-assets, shop-b-assets | Where-Object { -not $_.PublicAccessBlocked }</code>
    /// <para>Lists the asset buckets that do not block public access.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "AssetBucket")]
    [OutputType(typeof(AssetBucketInfo))]
    public sealed class GetAssetBucketCommand : AwsCmdlet
    {
        /// <summary><para>Name(s) of the bucket(s).</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(BucketNameCompleter))]
        public string[] BucketName { get; set; }

        protected override void ProcessRecord()
        {
            foreach (string name in BucketName) CheckInput(() => AssetInputValidation.BucketName(name));
            Run(async context =>
            {
                BucketService buckets = new BucketService();
                foreach (string name in BucketName)
                {
                    AssetBucketInfo info = await buckets.DescribeAsync(name, context);
                    if (info != null) context.WriteObject(info);
                    else context.WriteError(EcommerceErrors.BucketNotFound(name));
                }
            });
        }
    }
}
