using System.Linq;
using System.Management.Automation;
using EcommerceAws.Contract;
using EcommerceAws.Engine.Input;
using EcommerceAws.Engine.Tables;
using EcommerceAws.Internal;
using EcommerceAws.Output;

namespace EcommerceAws.Commands
{
    /// <summary>Gets EcommerceAws tables: keys, billing, capacity, item count, size, point-in-time recovery and deletion protection.</summary>
    /// <remarks>
    /// <para>Without -TableName, describes every DynamoDB table in the region. -TableName accepts wildcards; a name without wildcards that does not exist is an error (TableNotFound), a wildcard that matches nothing returns nothing.</para>
    /// <para>ItemCount and SizeBytes are the values DynamoDB refreshes about every six hours; use Get-MigrationStatus -Verify for exact counts.</para>
    /// </remarks>
    /// <example>
    /// <code>Get-EcommerceTable -TableName ecommerce-cameroon | Format-List</code>
    /// <para>Shows every property of one table.</para>
    /// </example>
    /// <example>
    /// <code>Get-EcommerceTable -TableName 'ecommerce-*' | Where-Object { -not $_.PointInTimeRecovery }</code>
    /// <para>Finds shop tables whose point-in-time recovery is off.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "EcommerceTable")]
    [OutputType(typeof(EcommerceTableInfo))]
    public sealed class GetEcommerceTableCommand : AwsCmdlet
    {
        /// <summary><para>Table name; wildcards are allowed. Default: all tables.</para></summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(TableNameCompleter))]
        public string[] TableName { get; set; }

        protected override void ProcessRecord()
        {
            string[] patterns = TableName ?? new[] { "*" };
            foreach (string exact in patterns.Where(p => !WildcardPattern.ContainsWildcardCharacters(p)))
            CheckInput(() => InputValidation.TableName(exact));
            Run(async context =>
            {
                TableService tables = new TableService();
                var wildcards = patterns.Where(WildcardPattern.ContainsWildcardCharacters)
                    .Select(p => new WildcardPattern(p, WildcardOptions.IgnoreCase)).ToArray();
                var names = patterns.Where(p => !WildcardPattern.ContainsWildcardCharacters(p)).ToList();
                if (wildcards.Length > 0)
                    names.AddRange((await tables.ListTableNamesAsync(context)).Where(n => wildcards.Any(w => w.IsMatch(n))));
                foreach (string name in names.Distinct())
                {
                    EcommerceTableInfo info = await tables.DescribeAsync(name, context);
                    if (info != null) context.WriteObject(info);
                    else if (!WildcardPattern.ContainsWildcardCharacters(name) && patterns.Contains(name))
                        context.WriteError(EcommerceErrors.TableNotFound(name));
                }
            });
        }
    }
}
