using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Stack;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Gets what exists of a shop stack: table, asset bucket, CDN and cache cluster.</summary>
    /// <remarks>
    /// <para>Looks up the resources by the names New-EcommerceStack uses (&lt;name&gt;, &lt;name&gt;-assets, &lt;name&gt;-redis, the distribution whose origin is the bucket) or by the names given. Missing parts are left empty and listed as missing in Resources.</para>
    /// </remarks>
    /// <example>
    /// <code>Get-EcommerceStack -Name ecommerce-cameroon | Format-List</code>
    /// <para>Shows the stack's resources and URLs.</para>
    /// </example>
    /// <example>
    /// <code>Get-EcommerceStack ecommerce-cameroon | Get-EcommerceEnvironment | Export-EcommerceEnvFile -Path .env</code>
    /// <para>Writes the app's .env from the existing stack.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "EcommerceStack")]
    [OutputType(typeof(EcommerceStack))]
    public sealed class GetEcommerceStackCommand : AwsCmdlet
    {
        /// <summary><para>Stack name.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        public string Name { get; set; }

        /// <summary><para>Table name. Default: the stack name.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)] [ArgumentCompleter(typeof(TableNameCompleter))] public string TableName { get; set; }

        /// <summary><para>Bucket name. Default: &lt;name&gt;-assets.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)] [ArgumentCompleter(typeof(BucketNameCompleter))] public string BucketName { get; set; }

        /// <summary><para>Cache cluster id. Default: &lt;name&gt;-redis.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)] [ArgumentCompleter(typeof(CacheClusterIdCompleter))] public string CacheClusterId { get; set; }

        protected override void ProcessRecord()
        {
            var names = new StackSpec { Name = Name, TableName = TableName, BucketName = BucketName, CacheClusterId = CacheClusterId };
            CheckInput(() => InputValidation.TableName(names.ResolvedTableName));
            WriteObject(Run(context => new StackService().DescribeAsync(names, context)));
        }
    }
}
