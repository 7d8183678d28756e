<#
.SYNOPSIS
    Import benchmark (issue 12 §1): the same N generated products migrated by the default write path (BatchWriteItem from
    this machine) and by -Method Import (gzipped DYNAMODB_JSON staged in S3, then DynamoDB's ImportTable), side by side.
.DESCRIPTION
    Run by `build.ps1 Bench -Scenario Import` (same environment as the tests; -BenchParameters @{Count=...} passes
    parameters). Seeds -Count products in the MongoDB wire test server, then runs each method in its own pwsh process
    (Measure-ImportProcess.ps1) against moto: Invoke-ProductMigration -Method Write into a table New-EcommerceTable made
    (its creation is timed too), and Invoke-ProductMigration -Method Import -StagingBucket into a table ImportTable makes
    (mapping, staging, the import, finishing the table, deleting the staged objects). Reports time, items/s, staged
    objects and bytes (gzipped in S3, and uncompressed: what ImportTable bills), client and moto CPU, peak working set,
    and the items each table holds afterwards (DescribeTable ItemCount, status items included). -Order picks which runs
    first. Writes out/bench/import.md. Not a test: nothing fails on a missed target.
    Against moto the import's own work (reading the staged objects, one put per item) runs inside the emulator's one Python
    process on this machine; in AWS it runs on the service's fleet and costs this machine nothing.
#>
param(
    [int] $Count = 200000,
    [ValidateSet('WriteFirst', 'ImportFirst')] [string] $Order = 'WriteFirst'
)
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
Import-Module (Join-Path $root 'tests/Pester/TestHelpers.psm1') -Force
Import-Module (Join-Path $root 'tests/Pester/MigrationHelpers.psm1') -Force
Import-EcommerceAws
$benchOut = Join-Path $root 'out/bench'
New-Item -ItemType Directory -Force -Path $benchOut | Out-Null

function Write-Step([string] $Message) { Write-Host "==> $Message" -ForegroundColor Cyan }
function Format-Number([double] $Value, [string] $Format = 'N0') { $Value.ToString($Format, [Globalization.CultureInfo]::InvariantCulture) }
function Format-MiB([double] $Bytes) { "$(Format-Number ($Bytes / 1MB) 'N1') MiB" }
function Get-Load { (Get-Content /proc/loadavg).Split(' ')[0..2] -join ' ' }

$motoPort = ([uri]$env:AWS_ENDPOINT_URL).Port
$motoPid = (& pgrep -f "moto[._]server(\.py)? -H 127\.0\.0\.1 -p $motoPort( |`$)" | Select-Object -First 1)
if (-not $motoPid) { throw "No moto process listening on port $motoPort found: its CPU time could not be measured." }
function Get-MotoCpuSeconds {
    $fields = (Get-Content "/proc/$motoPid/stat" -Raw) -replace '^.*\) ', '' -split ' '
    ([long]$fields[11] + [long]$fields[12]) / 100.0
}

function Invoke-Method([string] $Method, [string] $Db, [string] $Table, [string] $Bucket) {
    $pwsh = Join-Path $PSHOME 'pwsh'
    $command = @(if (Test-Path $pwsh -PathType Leaf) { $pwsh } else { 'dotnet'; Join-Path $PSHOME 'pwsh.dll' }) +
        @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Measure-ImportProcess.ps1'), '-Method', $Method,
          '-Database', $Db, '-TableName', $Table, '-StagingBucket', $Bucket)
    $load = Get-Load
    $motoBefore = Get-MotoCpuSeconds
    $output = & $command[0] @($command | Select-Object -Skip 1) 2>&1
    if ($LASTEXITCODE -ne 0) { throw "$Method failed ($LASTEXITCODE): $($output -join "`n")" }
    $run = "$($output | Where-Object { "$_".StartsWith('{') } | Select-Object -Last 1)" | ConvertFrom-Json
    $run | Add-Member -NotePropertyName MotoCpu -NotePropertyValue ((Get-MotoCpuSeconds) - $motoBefore)
    $run | Add-Member -NotePropertyName LoadBefore -NotePropertyValue $load
    $run | Add-Member -NotePropertyName LoadAfter -NotePropertyValue (Get-Load)
    $run | Add-Member -NotePropertyName ItemCount -NotePropertyValue ([long](Invoke-AwsCli dynamodb describe-table --table-name $Table --query 'Table.ItemCount'))
    $run
}

$started = Get-Date
$db = "benchimp$([guid]::NewGuid().ToString('N').Substring(0, 6))"
Write-Step "Seeding $(Format-Number $Count) products (load $(Get-Load))"
$chunk = 50000
for ($start = 0; $start -lt $Count; $start += $chunk) {
    $file = Write-Lines (New-ProductLines -Count ([math]::Min($chunk, $Count - $start)) -Start $start -Seed 12)
    try { $null = Invoke-MongoClient --uri $env:ECOM_TEST_MONGO_URI --db $db --collection products insert --unordered --file $file }
    finally { Remove-Item $file }
}
$bucket = New-TestName 'bench-stage'
$null = Invoke-AwsCli s3api create-bucket --bucket $bucket
$tables = @{ Write = New-TestName 'bench-write'; Import = New-TestName 'bench-import' }
$runs = [ordered]@{}
try {
    foreach ($method in $(if ($Order -eq 'WriteFirst') { 'Write', 'Import' } else { 'Import', 'Write' })) {
        Write-Step "Invoke-ProductMigration -Method $method ($(Format-Number $Count) products, load $(Get-Load))"
        $runs[$method] = Invoke-Method $method $db $tables[$method] $bucket
        Write-Host "    $($runs[$method] | ConvertTo-Json -Compress)"
        if ($runs[$method].Written -ne $Count) { throw "-Method $method wrote $($runs[$method].Written) of $Count products." }
    }
    $leftOver = Invoke-AwsCli s3api list-objects-v2 --bucket $bucket --query 'length(Contents || `[]`)'
}
finally {
    foreach ($table in $tables.Values) { Remove-EcommerceTable -TableName $table -Force -Confirm:$false -ErrorAction SilentlyContinue | Out-Null }
    & /usr/bin/aws --endpoint-url $env:AWS_ENDPOINT_URL --region us-east-1 s3 rb "s3://$bucket" --force *> $null
    $null = Invoke-MongoClient --uri $env:ECOM_TEST_MONGO_URI --db $db --collection products drop
}

function Get-Row([string] $Name, $Run) {
    $staging = if ($Run.StagingObjects) { "$($Run.StagingObjects) | $(Format-MiB $Run.StagingBytes) ($(Format-MiB $Run.UncompressedBytes) uncompressed)" } else { '— | —' }
    $created = if ($Run.TableSeconds -gt 0.05) { " (New-EcommerceTable $(Format-Number $Run.TableSeconds 'N1'))" } else { '' }
    "| $Name | $(Format-Number $Run.Seconds 'N1')$created | $(Format-Number ($Run.Written / $Run.Seconds)) | $staging | $(Format-Number $Run.CpuSeconds 'N1') | $(Format-Number $Run.MotoCpu 'N1') | $(Format-MiB $Run.VmHwmBytes) | $(Format-Number $Run.ItemCount) | $($Run.LoadBefore) → $($Run.LoadAfter) |"
}
$machine = "$([Environment]::ProcessorCount) cores, $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription), .NET $([Environment]::Version), moto $(& python3 -c 'import moto; print(moto.__version__)' 2>$null)"
$report = @"
N = $(Format-Number $Count) generated products, $((Get-Date).ToString('yyyy-MM-dd HH:mm')) UTC, $machine; order: $Order; each method in its own pwsh process.

| Method | Seconds (cmdlets) | Items/s | Staged objects | Staged bytes in S3 | Client CPU s (whole pwsh) | moto CPU s | Peak working set | Items in the table after | Load average before → after |
|---|---:|---:|---:|---|---:|---:|---:|---:|---|
$(Get-Row 'Write (BatchWriteItem, default)' $runs.Write)
$(Get-Row 'Import (S3 staging + ImportTable)' $runs.Import)

Import / write time: $(Format-Number ($runs.Import.Seconds / $runs.Write.Seconds) 'N2')×. Staged objects left in the bucket after the import: $leftOver (deleted unless -KeepStaging). Items in the table include the migration status items.
"@
$report | Set-Content (Join-Path $benchOut 'import.md')
Write-Host ''
$report
Write-Host ''
Write-Host "Benchmark took $(Format-Number ((Get-Date) - $started).TotalSeconds 'N0') s; written to $(Join-Path $benchOut 'import.md')."
