<#
.SYNOPSIS
    Migration benchmark: N generated products from the MongoDB wire test server into the DynamoDB stand-in, against
    the guide's naive baseline, directly and through a proxy adding -DelayMs to every request.
.DESCRIPTION
    Run by `build.ps1 Bench` (same environment as the tests; -BenchParameters @{Count=...} passes parameters).
    Contenders: Invoke-ProductMigration (each run in its own pwsh process, which reports its peak working set) and
    bench/NaiveBaseline (the guide's Step 4: load the whole collection, then one PutItem at a time). Both run directly,
    through the ThrottleProxy fixture (no throttling, +DelayMs per request) in front of moto, and through the proxy
    answering the writes itself after the delay (-AnswerWrites: latency only, no emulator CPU). The baseline is time-boxed at
    -BaselineSeconds per setting and its full-run rate projected (load time + N × its steady time per PutItem).
    Reports items/s and the ratio per setting, BatchWriteItem calls per item (the proxy counts them too) and the
    migration's peak working set at N and -MemoryFactor × N (-MemoryFactor 0 skips the big run).
    Writes the markdown table to out/bench/results.md. Not a test: nothing here fails on a missed target.
    -CompareModulePath (another build of this module, e.g. the pre-change commit built in a scratch folder) adds -Rounds
    alternating direct runs of that build and this one on the same data, and reports the medians, their ratio and the
    BatchWriteItem calls of each; -CompareOnly 1 runs only that comparison.
#>
param([int] $Count = 20000, [int] $DelayMs = 10, [int] $MemoryFactor = 10, [int] $BaselineSeconds = 60,
    [string] $CompareModulePath, [int] $Rounds = 5, [int] $CompareOnly = 0)
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
Import-Module (Join-Path $root 'tests/Pester/TestHelpers.psm1') -Force
Import-Module (Join-Path $root 'tests/Pester/MigrationHelpers.psm1') -Force
Import-EcommerceAws
$benchOut = Join-Path $root 'out/bench'

function Write-Step([string] $Message) { Write-Host "==> $Message" -ForegroundColor Cyan }

function Build-Baseline {
    $project = Join-Path $PSScriptRoot 'NaiveBaseline/NaiveBaseline.csproj'
    & dotnet build $project -c Release -o (Join-Path $benchOut 'NaiveBaseline') --nologo -v q | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "Building $project failed." }
    Join-Path $benchOut 'NaiveBaseline/NaiveBaseline.dll'
}

function Add-Products([string] $Db, [int] $N) {
    # Inserted in chunks so the generated lines never sit in memory all at once.
    $chunk = 50000
    for ($start = 0; $start -lt $N; $start += $chunk) {
        $file = Write-Lines (New-ProductLines -Count ([math]::Min($chunk, $N - $start)) -Start $start -Seed 11)
        try { $null = Invoke-MongoClient --uri $env:ECOM_TEST_MONGO_URI --db $Db --collection products insert --unordered --file $file }
        finally { Remove-Item $file }
    }
}

function Invoke-MigrationProcess([string] $Endpoint, [string] $Db, [string] $ModulePath = $env:ECOM_MODULE_PATH) {
    # A separate pwsh per run, so its peak working set is this migration's alone.
    $exe = Join-Path $PSHOME 'pwsh'
    $command = @(if (Test-Path $exe -PathType Leaf) { $exe } else { 'dotnet', (Join-Path $PSHOME 'pwsh.dll') })
    $lines = & $command[0] @($command | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'Measure-MigrationProcess.ps1') -Endpoint $Endpoint -Database $Db -ModulePath $ModulePath
    if ($LASTEXITCODE -ne 0) { throw "The migration process failed (exit $LASTEXITCODE): $lines" }
    $lines | Select-Object -Last 1 | ConvertFrom-Json
}

function Invoke-Baseline([string] $Dll, [string] $Endpoint, [string] $Db) {
    $table = New-TestName 'bench-naive'
    $null = New-EcommerceTable -TableName $table -Confirm:$false
    try {
        $line = & dotnet $Dll --mongo-uri $env:ECOM_TEST_MONGO_URI --db $Db --table $table --endpoint $Endpoint --max-seconds $BaselineSeconds
        if ($LASTEXITCODE -ne 0) { throw "The baseline failed (exit $LASTEXITCODE): $line" }
        $line | Select-Object -Last 1 | ConvertFrom-Json
    }
    finally { Remove-EcommerceTable -TableName $table -Force -Confirm:$false -ErrorAction SilentlyContinue }
}

function Get-ProxyCalls($Proxy) { (Invoke-RestMethod "$($Proxy.Url)/__stats").batchWriteCalls }
function Format-Number([double] $Value, [string] $Format = 'N0') { $Value.ToString($Format, [Globalization.CultureInfo]::InvariantCulture) }
function Format-MiB([long] $Bytes) { "$(Format-Number ($Bytes / 1MB) 'N0') MiB" }

$started = Get-Date
New-Item -ItemType Directory -Force -Path $benchOut | Out-Null
$baselineDll = if (-not $CompareOnly) { Write-Step 'Building the naive baseline'; Build-Baseline }
$db = "bench$([guid]::NewGuid().ToString('N').Substring(0, 6))"
Write-Step "Seeding $(Format-Number $Count) products"
Add-Products $db $Count
$bound = [math]::Ceiling($Count / 25)

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    if ($sorted.Count % 2) { $sorted[[int][math]::Floor($sorted.Count / 2)] } else { ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2 }
}

$comparison = $null
if ($CompareModulePath) {
    # Same data, same moto, alternating builds (the machine is shared and noisy: medians of alternating runs, never one pair).
    $runs = @{ Other = [System.Collections.Generic.List[object]]::new(); This = [System.Collections.Generic.List[object]]::new() }
    for ($round = 1; $round -le $Rounds; $round++) {
        foreach ($which in $(if ($round % 2) { 'Other', 'This' } else { 'This', 'Other' })) {
            Write-Step "Comparison round $round/${Rounds}: $which build"
            $run = Invoke-MigrationProcess $env:AWS_ENDPOINT_URL $db $(if ($which -eq 'Other') { $CompareModulePath } else { $env:ECOM_MODULE_PATH })
            $runs[$which].Add($run)
            Write-Host ("    {0:N0} items/s, {1} BatchWriteItem calls, {2:N1} s" -f ($run.Written / $run.Seconds), $run.Calls, $run.Seconds)
        }
    }
    $comparison = foreach ($which in 'Other', 'This') {
        $rates = [double[]]@($runs[$which] | ForEach-Object { $_.Written / $_.Seconds })
        [pscustomobject]@{
            Build = $which; Median = Get-Median $rates; Min = ($rates | Measure-Object -Minimum).Minimum; Max = ($rates | Measure-Object -Maximum).Maximum
            Calls = @($runs[$which].Calls | Sort-Object -Unique) -join ', '; Written = @($runs[$which].Written | Sort-Object -Unique) -join ', '
            Cpu = Get-Median ([double[]]@($runs[$which] | ForEach-Object { $_.CpuSeconds })); Rates = $rates
        }
    }
}

if ($CompareOnly) {
    $null = Invoke-MongoClient --uri $env:ECOM_TEST_MONGO_URI --db $db --collection products drop
    $o, $t = $comparison
    $report = @"
N = $(Format-Number $Count) products, $((Get-Date).ToString('yyyy-MM-dd')), $([Environment]::ProcessorCount) cores, moto $(& python3 -c 'import moto; print(moto.__version__)' 2>$null), -MaxConcurrency 8; $Rounds alternating direct runs per build.

| Build | Median items/s | Min–max items/s | BatchWriteItem calls per run | Median CPU s (whole process) |
|---|---:|---:|---:|---:|
| compared build ($CompareModulePath) | $(Format-Number $o.Median) | $(Format-Number $o.Min)–$(Format-Number $o.Max) | $($o.Calls) | $(Format-Number $o.Cpu 'N1') |
| this build | $(Format-Number $t.Median) | $(Format-Number $t.Min)–$(Format-Number $t.Max) | $($t.Calls) | $(Format-Number $t.Cpu 'N1') |

This build / compared build, median items/s: $(Format-Number ($t.Median / $o.Median) 'N3') (target ≥ 0.95); calls: $($t.Calls) = $(Format-Number ([double]($t.Calls -split ', ')[0] / $bound) 'N3') × ⌈N/25⌉ ($(Format-Number $bound)).
Runs (items/s, in order): compared $(($o.Rates | ForEach-Object { Format-Number $_ }) -join ', '); this $(($t.Rates | ForEach-Object { Format-Number $_ }) -join ', ').
"@
    $report | Set-Content (Join-Path $benchOut 'results.md')
    Write-Host ''
    $report
    return
}

Write-Step 'Direct: migration'
$migrationDirect = Invoke-MigrationProcess $env:AWS_ENDPOINT_URL $db
Write-Step 'Direct: naive baseline'
$baselineDirect = Invoke-Baseline $baselineDll $env:AWS_ENDPOINT_URL $db

$proxy = Start-ThrottleProxy -Target $env:AWS_ENDPOINT_URL -Throttle 0 -Unprocessed 0 -DelayMs $DelayMs
try {
    Write-Step "+$DelayMs ms per request: migration"
    $before = Get-ProxyCalls $proxy
    $migrationDelayed = Invoke-MigrationProcess $proxy.Url $db
    $proxyCalls = (Get-ProxyCalls $proxy) - $before
    Write-Step "+$DelayMs ms per request: naive baseline"
    $baselineDelayed = Invoke-Baseline $baselineDll $proxy.Url $db
}
finally { $proxy.Process.Kill($true); $proxy.Process.Dispose() }

# Latency only: the proxy answers the writes itself after the delay, so moto's CPU time per item (a local-emulator
# artefact: ~0.3 ms per item on one Python core, which caps every writer at a few thousand items/s) drops out.
$model = Start-ThrottleProxy -Target $env:AWS_ENDPOINT_URL -Throttle 0 -Unprocessed 0 -DelayMs $DelayMs -AnswerWrites
try {
    Write-Step "+$DelayMs ms per request, writes answered by the proxy: migration"
    $migrationModel = Invoke-MigrationProcess $model.Url $db
    $modelCalls = Get-ProxyCalls $model
    Write-Step "+$DelayMs ms per request, writes answered by the proxy: naive baseline"
    $baselineModel = Invoke-Baseline $baselineDll $model.Url $db
}
finally { $model.Process.Kill($true); $model.Process.Dispose() }

$memoryBig = $null
if ($MemoryFactor -gt 1) {
    $bigDb = "$($db)x$MemoryFactor"
    Write-Step "Seeding $(Format-Number ($Count * $MemoryFactor)) products for the memory run"
    Add-Products $bigDb ($Count * $MemoryFactor)
    Write-Step "Direct: migration of $(Format-Number ($Count * $MemoryFactor)) products (memory)"
    $memoryBig = Invoke-MigrationProcess $env:AWS_ENDPOINT_URL $bigDb
    $null = Invoke-MongoClient --uri $env:ECOM_TEST_MONGO_URI --db $bigDb --collection products drop
}
$null = Invoke-MongoClient --uri $env:ECOM_TEST_MONGO_URI --db $db --collection products drop

# Results.
function Get-Rate($Run) { $Run.Written / $Run.Seconds }
$rows = foreach ($setting in @(@{ Name = 'direct (moto, ~1 ms)'; M = $migrationDirect; B = $baselineDirect }, @{ Name = "+$DelayMs ms per request (proxy → moto)"; M = $migrationDelayed; B = $baselineDelayed }, @{ Name = "+$DelayMs ms per request, writes answered by the proxy (latency only)"; M = $migrationModel; B = $baselineModel })) {
    $m = Get-Rate $setting.M
    $b = [double]$setting.B.itemsPerSecond
    $note = if ($setting.B.projected) { " (projected from $(Format-Number $setting.B.written) puts in $(Format-Number $setting.B.writeSeconds 'N0') s)" } else { '' }
    "| $($setting.Name) | $(Format-Number $m) | $(Format-Number $b)$note | **$(Format-Number ($m / $b) 'N1')×** |"
}
$callsDirect = [double]$migrationDirect.Calls / $bound
$callsProxy = [double]$proxyCalls / $bound
$memoryRatio = if ($memoryBig) { [double]$memoryBig.PeakWorkingSet / $migrationDirect.PeakWorkingSet } else { $null }
$machine = "$([Environment]::ProcessorCount) cores ($((Get-Content /proc/cpuinfo -ErrorAction SilentlyContinue | Select-String '^model name\s*:\s*(.*)' | Select-Object -First 1).Matches.Groups[1].Value)), $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription), .NET $([Environment]::Version)"
$report = @"
N = $(Format-Number $Count) products, $((Get-Date).ToString('yyyy-MM-dd')), $machine; moto $(& python3 -c 'import moto; print(moto.__version__)' 2>$null); -MaxConcurrency 8 (default).

| Setting | Invoke-ProductMigration items/s | Naive baseline items/s | Ratio |
|---|---:|---:|---:|
$($rows -join "`n")

| Measure | Result | Target |
|---|---:|---:|
| BatchWriteItem calls, direct | $(Format-Number $migrationDirect.Calls) = $(Format-Number $callsDirect 'N3') × ⌈N/25⌉ ($(Format-Number $bound)) | ≤ 1.05 × ⌈N/25⌉ |
| BatchWriteItem calls seen by the +$DelayMs ms proxy | $(Format-Number $proxyCalls) = $(Format-Number $callsProxy 'N3') × ⌈N/25⌉ | ≤ 1.05 × ⌈N/25⌉ |
| BatchWriteItem calls answered by the latency-only proxy | $(Format-Number $modelCalls) = $(Format-Number ($modelCalls / $bound) 'N3') × ⌈N/25⌉ | ≤ 1.05 × ⌈N/25⌉ |
| Ratio at +$DelayMs ms, proxy → moto | $(Format-Number ((Get-Rate $migrationDelayed) / $baselineDelayed.itemsPerSecond) 'N1')× | ≥ 50× |
| Ratio at +$DelayMs ms, latency only | $(Format-Number ((Get-Rate $migrationModel) / $baselineModel.itemsPerSecond) 'N1')× | ≥ 50× |
| Migration process CPU, N = $(Format-Number $Count) (whole pwsh process: start, module load, JIT, run) | $(Format-Number $migrationDirect.CpuSeconds 'N1') s | |
| Peak working set, migration process, N = $(Format-Number $Count) | $(Format-MiB $migrationDirect.PeakWorkingSet) | |
$(if ($memoryBig) { "| Peak working set, migration process, N = $(Format-Number ($Count * $MemoryFactor)) ($(Format-Number $memoryBig.Seconds 'N0') s, $(Format-Number (Get-Rate $memoryBig)) items/s, CPU $(Format-Number $memoryBig.CpuSeconds 'N1') s) | $(Format-MiB $memoryBig.PeakWorkingSet) = $(Format-Number (($memoryRatio - 1) * 100) '+0;-0')% | within 20% |" } else { '| Peak working set at 10 × N | skipped (-MemoryFactor 0) | within 20% |' })
| Naive baseline peak working set (loads everything), N = $(Format-Number $Count) | $(Format-MiB $baselineDirect.peakWorkingSet) | |
"@
if ($comparison) {
    $o, $t = $comparison
    $report += "`nAgainst $CompareModulePath ($Rounds alternating direct runs each): median $(Format-Number $t.Median) vs $(Format-Number $o.Median) items/s = $(Format-Number ($t.Median / $o.Median) 'N3')×; calls $($t.Calls) vs $($o.Calls).`n"
}
$report | Set-Content (Join-Path $benchOut 'results.md')
Write-Host ''
$report
Write-Host ''
Write-Host "Raw: migration direct $($migrationDirect | ConvertTo-Json -Compress); +$DelayMs ms $($migrationDelayed | ConvertTo-Json -Compress); baseline direct $($baselineDirect | ConvertTo-Json -Compress); +$DelayMs ms $($baselineDelayed | ConvertTo-Json -Compress); latency-only migration $($migrationModel | ConvertTo-Json -Compress); latency-only baseline $($baselineModel | ConvertTo-Json -Compress)$(if ($memoryBig) { "; big $($memoryBig | ConvertTo-Json -Compress)" })"
Write-Host "Benchmark took $(Format-Number ((Get-Date) - $started).TotalSeconds 'N0') s; written to $(Join-Path $benchOut 'results.md')."
