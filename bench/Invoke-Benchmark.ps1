<#
.SYNOPSIS
    Migration benchmark: N generated products from the MongoDB wire test server into the DynamoDB stand-in.
.DESCRIPTION
    Run by `build.ps1 Bench` (same environment as the tests). Measures Invoke-ProductMigration items/s directly and
    through the ThrottleProxy fixture adding -DelayMs to every request, BatchWriteItem calls per item, and the
    peak working set of the migrating process at -Count and 10 × -Count (with -MemoryCheck).
#>
param([int] $Count = 20000, [int] $DelayMs = 10, [switch] $MemoryCheck)
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
Import-Module (Join-Path $root 'tests/Pester/TestHelpers.psm1') -Force
Import-Module (Join-Path $root 'tests/Pester/MigrationHelpers.psm1') -Force
Import-EcommerceAws

function Measure-Migration([string] $Endpoint, [int] $N, [string] $Db) {
    $table = New-TestName 'bench'
    $null = New-EcommerceTable -TableName $table -Confirm:$false
    try {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $all = Invoke-ProductMigration -TableName $table -MongoUri "$($env:ECOM_TEST_MONGO_URI)$Db" -EndpointUrl $Endpoint -Verbose *>&1
        $watch.Stop()
        $r = $all | Where-Object { $_ -is [EcommerceAws.Output.MigrationResult] }
        $calls = ($all | Where-Object { "$_" -match 'with (\d+) BatchWriteItem calls' } | ForEach-Object { [int]($Matches[1]) }) | Select-Object -Last 1
        [pscustomobject]@{ Items = $r.Written; Seconds = [math]::Round($watch.Elapsed.TotalSeconds, 1); ItemsPerSecond = [math]::Round($r.Written / $watch.Elapsed.TotalSeconds); Calls = $calls; CallsPerBound = [math]::Round($calls / [math]::Ceiling($N / 25), 3) }
    }
    finally { Remove-EcommerceTable -TableName $table -Force -Confirm:$false -ErrorAction SilentlyContinue }
}

$db = "bench$([guid]::NewGuid().ToString('N').Substring(0, 6))"
$file = Write-Lines (New-ProductLines -Count $Count -Seed 11)
$null = Invoke-MongoClient --uri $env:ECOM_TEST_MONGO_URI --db $db --collection products insert --file $file
Remove-Item $file
$direct = Measure-Migration $env:AWS_ENDPOINT_URL $Count $db
"Direct: $($direct | Out-String)"
$proxy = Start-ThrottleProxy -Target $env:AWS_ENDPOINT_URL -Throttle 0 -Unprocessed 0 -DelayMs $DelayMs
try {
    $delayed = Measure-Migration $proxy.Url $Count $db
    "With $DelayMs ms per request: $($delayed | Out-String)"
}
finally { $proxy.Process.Kill($true) }
