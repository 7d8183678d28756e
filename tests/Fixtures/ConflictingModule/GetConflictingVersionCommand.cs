using System.Management.Automation;

namespace ConflictingModule
{
    /// <summary>Loads AWSSDK.Core 3.7 and MongoDB.Driver 2.30 into the default load context and reports their versions.</summary>
    [Cmdlet(VerbsCommon.Get, "ConflictingVersion")]
    public sealed class GetConflictingVersionCommand : PSCmdlet
    {
        protected override void ProcessRecord()
        {
            var region = Amazon.RegionEndpoint.USEast1;
            var settings = new MongoDB.Driver.MongoClientSettings();
            WriteObject(new PSObject(new
            {
                AwsCore = typeof(Amazon.RegionEndpoint).Assembly.GetName().Version.ToString(),
                MongoDriver = settings.GetType().Assembly.GetName().Version.ToString(),
                Region = region.SystemName,
            }));
        }
    }
}
