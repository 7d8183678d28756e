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
                // File versions: AWSSDK's assembly version stays 3.3.0.0 across all of 3.x.
                AwsCore = System.Diagnostics.FileVersionInfo.GetVersionInfo(typeof(Amazon.RegionEndpoint).Assembly.Location).FileVersion,
                MongoDriver = System.Diagnostics.FileVersionInfo.GetVersionInfo(settings.GetType().Assembly.Location).FileVersion,
                Region = region.SystemName,
            }));
        }
    }
}
