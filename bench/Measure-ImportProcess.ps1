<#
.SYNOPSIS
    One product migration in its own pwsh process (run by Invoke-ImportBenchmark.ps1): -Method Write into a table made
    with New-EcommerceTable, or -Method Import (ImportTable creates the table); prints one JSON line with the result's
    counts, the cmdlet's seconds, the staging figures and this process's CPU time and peak working set.
#>
param(
    [Parameter(Mandatory)] [ValidateSet('Write', 'Import')] [string] $Method,
    [Parameter(Mandatory)] [string] $Database,
    [Parameter(Mandatory)] [string] $TableName,
    [string] $StagingBucket,
    [string] $ModulePath = $env:ECOM_MODULE_PATH
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'EcommerceAws.psd1')
$parameters = @{ TableName = $TableName; MongoUri = "$($env:ECOM_TEST_MONGO_URI)$Database"; Method = $Method; Confirm = $false }
if ($Method -eq 'Import') { $parameters.StagingBucket = $StagingBucket }
$watch = [Diagnostics.Stopwatch]::StartNew()
# The write path needs the table first (the time to create it is counted, and reported apart: it is part of that path).
if ($Method -eq 'Write') { $null = New-EcommerceTable -TableName $TableName -Confirm:$false }
$tableSeconds = $watch.Elapsed.TotalSeconds
$result = Invoke-ProductMigration @parameters -ProgressAction SilentlyContinue
$watch.Stop()
$status = Get-Content "/proc/$PID/status" -ErrorAction SilentlyContinue | Select-String '^VmHWM:\s+(\d+) kB'
[pscustomobject]@{
    Written           = $result.Written
    Rejected          = $result.Rejected
    State             = "$($result.State)"
    Seconds           = $watch.Elapsed.TotalSeconds
    TableSeconds      = $tableSeconds
    StagingObjects    = $result.StagingObjects
    StagingBytes      = $result.StagingBytes
    UncompressedBytes = $result.UncompressedBytes
    ImportArn         = $result.ImportArn
    CpuSeconds        = [System.Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime.TotalSeconds
    VmHwmBytes        = if ($status) { [long]$status.Matches[0].Groups[1].Value * 1KB } else { 0 }
} | ConvertTo-Json -Compress
