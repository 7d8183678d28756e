<#
.SYNOPSIS
    One migration in its own pwsh process (run by Invoke-Benchmark.ps1): a fresh table, Invoke-ProductMigration from
    the given database, then one JSON line with items, seconds, BatchWriteItem calls and this process's peak working set.
#>
param([Parameter(Mandatory)] [string] $Endpoint, [Parameter(Mandatory)] [string] $Database, [string] $ModulePath = $env:ECOM_MODULE_PATH)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'EcommerceAws.psd1')
$table = "bench-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
$null = New-EcommerceTable -TableName $table -Confirm:$false
try {
    $calls = 0
    $watch = [Diagnostics.Stopwatch]::StartNew()
    # Verbose lines are streamed (not collected), so the process holds no per-batch record.
    $result = Invoke-ProductMigration -TableName $table -MongoUri "$($env:ECOM_TEST_MONGO_URI)$Database" -EndpointUrl $Endpoint -Verbose 4>&1 |
        ForEach-Object {
            if ($_ -is [System.Management.Automation.VerboseRecord]) { if ($_.Message -match 'with (\d+) BatchWriteItem calls') { $calls = [long]$Matches[1] } }
            else { $_ }
        }
    $watch.Stop()
}
finally { Remove-EcommerceTable -TableName $table -Force -Confirm:$false -ErrorAction SilentlyContinue }
$status = Get-Content "/proc/$PID/status" -ErrorAction SilentlyContinue | Select-String '^VmHWM:\s+(\d+) kB'
[pscustomobject]@{
    Written        = $result.Written
    Rejected       = $result.Rejected
    Seconds        = $watch.Elapsed.TotalSeconds
    Calls          = $calls
    CpuSeconds     = [System.Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime.TotalSeconds
    PeakWorkingSet = [System.Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64
    VmHwmBytes     = if ($status) { [long]$status.Matches[0].Groups[1].Value * 1KB } else { 0 }
} | ConvertTo-Json -Compress
