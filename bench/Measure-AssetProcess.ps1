<#
.SYNOPSIS
    One Publish-ProductAsset run in its own pwsh process (run by Invoke-AssetBenchmark.ps1); prints one JSON line with
    the cmdlet's own seconds, the module import's seconds and the result's counts.
#>
param(
    [Parameter(Mandatory)] [string] $Endpoint,
    [Parameter(Mandatory)] [string] $TableName,
    [Parameter(Mandatory)] [string] $BucketName,
    [Parameter(Mandatory)] [string] $SourceRoot,
    [int] $MaxConcurrency = 0
)
$ErrorActionPreference = 'Stop'
$import = [Diagnostics.Stopwatch]::StartNew()
Import-Module (Join-Path $env:ECOM_MODULE_PATH 'EcommerceAws.psd1')
$import.Stop()
$parameters = @{
    TableName = $TableName; BucketName = $BucketName; CdnDomain = 'd111111abcdef8.cloudfront.net'; SourceRoot = $SourceRoot
    EndpointUrl = $Endpoint; RejectPath = (Join-Path ([IO.Path]::GetTempPath()) "bench-asset-rejects-$PID.jsonl"); Confirm = $false
}
if ($MaxConcurrency -gt 0) { $parameters.MaxConcurrency = $MaxConcurrency }
$watch = [Diagnostics.Stopwatch]::StartNew()
$result = Publish-ProductAsset @parameters -ProgressAction SilentlyContinue
$watch.Stop()
[pscustomobject]@{
    Seconds       = $watch.Elapsed.TotalSeconds
    ImportSeconds = $import.Elapsed.TotalSeconds
    Uploaded      = $result.ImagesUploaded
    Skipped       = $result.ImagesSkipped
    Rejected      = $result.ImagesRejected
    Products      = $result.ProductsScanned
    Updated       = $result.ProductsUpdated
} | ConvertTo-Json -Compress
