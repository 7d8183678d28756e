<#
.SYNOPSIS
    Image benchmark: Publish-ProductAsset against `aws s3 sync` (/usr/bin/aws) on the same generated product images,
    side by side in one run, directly against moto and through a proxy adding -DelayMs to every request.
.DESCRIPTION
    Run by `build.ps1 Bench -Scenario Assets` (same environment as the tests; -BenchParameters @{Count=...} passes
    parameters). Generates -Count distinct, valid PNG files of about -ImageKB KB (random pixels), and ⌈Count/ImagesPerProduct⌉
    products whose images are those files' paths (loaded with Invoke-ProductMigration from a mongoexport-style file).
    Contenders, each on a fresh table and a fresh bucket:
      - Publish-ProductAsset in its own pwsh process (Measure-AssetProcess.ps1): lists the bucket, uploads every image,
        rewrites every product's images to CDN URLs. Timed as the cmdlet call (a session imports the module once);
        the whole process (pwsh start, Import-Module) is reported too.
      - `aws s3 sync <folder> s3://<bucket>/products/`: uploads the files, rewrites nothing. Timed as the whole process.
    Settings: direct to moto; through tests/Fixtures/ThrottleProxy with +DelayMs per request (which also counts the
    requests of each contender by HTTP method and DynamoDB operation); and through the same proxy answering the object
    PUTs and the UpdateItems itself after the delay (--answer-uploads: latency only, without the emulator's CPU time per
    request, as for the migration bench). -Rounds alternates the order and keeps the median.
    Then a re-run of each on the direct setting (nothing to upload) and, with -Sweep, Publish-ProductAsset at other
    -MaxConcurrency values. Writes the markdown table to out/bench/assets.md. Not a test: nothing fails on a missed target.
#>
param(
    [int] $Count = 2000,
    [int] $ImagesPerProduct = 2,
    [int] $ImageKB = 20,
    [int] $DelayMs = 10,
    [int] $Rounds = 1,
    # Comma-separated -MaxConcurrency values to try Publish-ProductAsset with after the comparison, e.g. '4,8,16,32'.
    [string] $Sweep = '',
    # Only the -Sweep (each value -Rounds times, interleaved, median), no comparison with the CLI.
    [switch] $SweepOnly
)
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
Import-Module (Join-Path $root 'tests/Pester/TestHelpers.psm1') -Force
Import-Module (Join-Path $root 'tests/Pester/MigrationHelpers.psm1') -Force
Import-EcommerceAws
$benchOut = Join-Path $root 'out/bench'
$work = Join-Path $benchOut "assets-$([guid]::NewGuid().ToString('N').Substring(0, 6))"
$uploads = Join-Path $work 'uploads'
$images = Join-Path $uploads 'products'
$env:AWS_PAGER = ''

function Write-Step([string] $Message) { Write-Host "==> $Message" -ForegroundColor Cyan }
function Format-Number([double] $Value, [string] $Format = 'N0') { $Value.ToString($Format, [Globalization.CultureInfo]::InvariantCulture) }
function Get-Median([double[]] $Values) { $sorted = $Values | Sort-Object; $sorted[[int][math]::Floor(($sorted.Count - 1) / 2)] }

function New-Images {
    # Valid PNGs (IHDR, IDAT of random pixels, IEND), each different, about -ImageKB KB.
    $script = @'
import os, struct, sys, zlib
folder, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
width = 80
height = max(1, size // (width * 3 + 1))
for i in range(count):
    raw = b''.join(b'\x00' + os.urandom(width * 3) for _ in range(height))
    png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw, 1)) + chunk(b'IEND', b'')
    with open(os.path.join(folder, 'p%06d.png' % i), 'wb') as f:
        f.write(png)
'@
    $file = Join-Path $work 'make_png.py'
    Set-Content -Path $file -Value $script
    & python3 $file $images $Count ($ImageKB * 1024)
    if ($LASTEXITCODE -ne 0) { throw 'Generating the images failed.' }
}

function New-ProductFile {
    # mongoexport lines: product j has images /uploads/products/p<j*k+0>.png … (the old app's paths).
    $products = [math]::Ceiling($Count / $ImagesPerProduct)
    $lines = for ($j = 0; $j -lt $products; $j++) {
        $paths = for ($i = $j * $ImagesPerProduct; $i -lt [math]::Min($Count, ($j + 1) * $ImagesPerProduct); $i++) { '"/uploads/products/p{0:d6}.png"' -f $i }
        '{"_id":{"$oid":"' + (New-ObjectIdText 77 $j) + '"},"nameEn":"Product ' + $j + '","nameFr":"Produit ' + $j + '","category":"Electronics","price":' + (1000 + $j) +
            ',"currency":"XAF","stock":{"$numberLong":"5"},"images":[' + ($paths -join ',') + '],"active":true,"createdAt":{"$date":"2024-03-01T10:15:30.123Z"},"__v":0}'
    }
    $file = Join-Path $work 'products.json'
    [IO.File]::WriteAllLines($file, [string[]]$lines)
    $file
}

function New-Bucket {
    $name = New-TestName 'bench-assets'
    $null = Invoke-AwsCli s3api create-bucket --bucket $name
    $name
}

function Remove-Bucket([string] $Name) {
    & /usr/bin/aws --endpoint-url $env:AWS_ENDPOINT_URL --region us-east-1 s3 rb "s3://$Name" --force *> $null
}

function New-ProductTable {
    # A fresh table holding the products (set up directly against moto, outside the timed part).
    $table = New-TestName 'bench-assets'
    $null = New-EcommerceTable -TableName $table -Confirm:$false
    $migrated = Invoke-ProductMigration -TableName $table -Path $productFile -RejectPath (Join-Path $work 'migration-rejects.jsonl') -Confirm:$false
    if ($migrated.Written -ne $productCount) { throw "Expected $productCount products in $table, got $($migrated.Written)." }
    $table
}

function Get-MotoCpuSeconds {
    # moto's own CPU time (user + system), to show where the time goes.
    if (-not $motoPid) { return 0 }
    $fields = (Get-Content "/proc/$motoPid/stat" -Raw) -replace '^.*\) ', '' -split ' '
    ([long]$fields[11] + [long]$fields[12]) / 100.0
}

function Invoke-Timed([string[]] $Command) {
    # Runs a command under /usr/bin/time: its output lines, wall seconds and CPU seconds (user + system).
    $timeFile = Join-Path $work "time-$([guid]::NewGuid().ToString('N')).txt"
    $output = & /usr/bin/time -f '%e %U %S' -o $timeFile @Command 2>&1
    if ($LASTEXITCODE -ne 0) { throw "$($Command -join ' ') failed ($LASTEXITCODE): $($output -join "`n")" }
    $wall, $user, $system = (Get-Content $timeFile -Raw).Trim() -split '\s+' | Select-Object -Last 3 | ForEach-Object { [double]::Parse($_, [Globalization.CultureInfo]::InvariantCulture) }
    [pscustomobject]@{ Output = @($output | ForEach-Object { "$_" }); Wall = $wall; Cpu = $user + $system }
}

function Get-ProxyRequests($Proxy) {
    # Only a proxy counts requests: without one (the direct setting) the answer is $null ("not counted"), not an empty table.
    if (-not $Proxy) { return $null }
    $counts = @{}
    if ($Proxy) { foreach ($p in (Invoke-RestMethod "$($Proxy.Url)/__stats").requests.PSObject.Properties) { $counts[$p.Name] = [long]$p.Value } }
    $counts
}

function Get-RequestDelta([hashtable] $Before, [hashtable] $After) {
    if ($null -eq $After) { return $null }
    $delta = @{}
    foreach ($key in $After.Keys) { $n = $After[$key] - $(if ($Before.ContainsKey($key)) { $Before[$key] } else { 0 }); if ($n) { $delta[$key] = $n } }
    $delta
}

function Invoke-Publish([string] $Endpoint, [string] $Table, [string] $Bucket, [int] $Concurrency = 0, $Proxy = $null) {
    $pwsh = Join-Path $PSHOME 'pwsh'
    $command = @(if (Test-Path $pwsh -PathType Leaf) { $pwsh } else { 'dotnet'; Join-Path $PSHOME 'pwsh.dll' }) +
        @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Measure-AssetProcess.ps1'), '-Endpoint', $Endpoint,
          '-TableName', $Table, '-BucketName', $Bucket, '-SourceRoot', $uploads, '-MaxConcurrency', "$Concurrency")
    $requestsBefore = Get-ProxyRequests $Proxy
    $motoBefore = Get-MotoCpuSeconds
    $timed = Invoke-Timed $command
    $motoCpu = (Get-MotoCpuSeconds) - $motoBefore
    $run = $timed.Output | Where-Object { $_.StartsWith('{') } | Select-Object -Last 1 | ConvertFrom-Json
    [pscustomobject]@{
        Seconds = $run.Seconds; ProcessSeconds = $timed.Wall; ImportSeconds = $run.ImportSeconds; ClientCpu = $timed.Cpu; MotoCpu = $motoCpu
        Uploaded = [long]$run.Uploaded; Skipped = [long]$run.Skipped; Rejected = [long]$run.Rejected; Updated = [long]$run.Updated; Products = [long]$run.Products
        Requests = Get-RequestDelta $requestsBefore (Get-ProxyRequests $Proxy)
    }
}

function Invoke-Sync([string] $Endpoint, [string] $Bucket, $Proxy = $null) {
    $requestsBefore = Get-ProxyRequests $Proxy
    $motoBefore = Get-MotoCpuSeconds
    $timed = Invoke-Timed @('/usr/bin/aws', '--endpoint-url', $Endpoint, '--region', 'us-east-1', 's3', 'sync', $images, "s3://$Bucket/products/", '--only-show-errors')
    $motoCpu = (Get-MotoCpuSeconds) - $motoBefore
    [pscustomobject]@{
        Seconds = $timed.Wall; ProcessSeconds = $timed.Wall; ClientCpu = $timed.Cpu; MotoCpu = $motoCpu
        Requests = Get-RequestDelta $requestsBefore (Get-ProxyRequests $Proxy)
    }
}

function Get-ObjectCount([string] $Bucket) {
    $answer = Invoke-AwsCli s3api list-objects-v2 --bucket $Bucket --query 'length(Contents || `[]`)'
    if ($answer) { [long]$answer } else { 0 }
}

function Invoke-Setting([string] $Name, [string] $Endpoint, $Proxy, [bool] $CliFirst, [bool] $Stored = $true) {
    # One contender after the other on the same setting; each on a fresh bucket (and, for ours, a fresh table).
    $table = New-ProductTable
    $ourBucket = New-Bucket
    $cliBucket = New-Bucket
    $steps = @(
        @{ Who = 'cli'; Run = { Invoke-Sync $Endpoint $cliBucket $Proxy } },
        @{ Who = 'ours'; Run = { Invoke-Publish $Endpoint $table $ourBucket 0 $Proxy } })
    if (-not $CliFirst) { [array]::Reverse($steps) }
    $out = @{}
    foreach ($step in $steps) {
        Write-Step "$Name`: $(if ($step.Who -eq 'cli') { 'aws s3 sync' } else { 'Publish-ProductAsset' })"
        $out[$step.Who] = & $step.Run
        Write-Host "    $(Format-Number ($Count / $out[$step.Who].Seconds)) images/s: $($out[$step.Who] | ConvertTo-Json -Compress -Depth 4)"
    }
    if ($out.ours.Uploaded -ne $Count -or $out.ours.Updated -ne $productCount) {
        throw "Publish-ProductAsset uploaded $($out.ours.Uploaded) of $Count images and rewrote $($out.ours.Updated) of $productCount products."
    }
    if ($Stored) {
        $cliObjects = Get-ObjectCount $cliBucket
        if ($cliObjects -ne $Count) { throw "aws s3 sync left $cliObjects of $Count objects." }
    }
    $out.Table = $table; $out.OurBucket = $ourBucket; $out.CliBucket = $cliBucket
    $out
}

function Clear-Setting($Result) {
    Remove-EcommerceTable -TableName $Result.Table -Force -Confirm:$false -ErrorAction SilentlyContinue | Out-Null
    Remove-Bucket $Result.OurBucket
    Remove-Bucket $Result.CliBucket
}

function Format-Requests([hashtable] $Requests, [long] $Images) {
    if (-not $Requests -or $Requests.Count -eq 0) { return 'n/a' }
    $total = ($Requests.GetEnumerator() | Where-Object { $_.Key -notlike 'DynamoDB.*' } | Measure-Object Value -Sum).Sum
    $parts = $Requests.GetEnumerator() | Sort-Object Key | ForEach-Object { "$($_.Key) $($_.Value)" }
    "$(Format-Number ($total / $Images) 'N2') per image ($($parts -join ', '))"
}

# ---------------------------------------------------------------------------------------------------------------
$started = Get-Date
$loadAtStart = (Get-Content /proc/loadavg).Split(' ')[0..2] -join ' '
New-Item -ItemType Directory -Force -Path $images | Out-Null
$motoPort = ([uri]$env:AWS_ENDPOINT_URL).Port
# build.ps1 starts moto as `python3 tests/Fixtures/moto_server.py -H 127.0.0.1 -p PORT` (older runs: `-m moto.server`): find it by
# its listening port, or its CPU time reads 0 (the first version of this script looked for `moto.server` only).
$motoPid = (& pgrep -f "moto[._]server(\.py)? -H 127\.0\.0\.1 -p $motoPort( |`$)" | Select-Object -First 1)
if (-not $motoPid) { throw "No moto process listening on port $motoPort found: its CPU time could not be measured." }
Write-Step "Generating $(Format-Number $Count) PNG images of ~$ImageKB KB"
New-Images
$bytes = (Get-ChildItem $images -File | Measure-Object Length -Sum).Sum
$productCount = [math]::Ceiling($Count / $ImagesPerProduct)
$productFile = New-ProductFile

$direct = [System.Collections.Generic.List[object]]::new()
$delayed = [System.Collections.Generic.List[object]]::new()
$modeled = [System.Collections.Generic.List[object]]::new()
$proxy = Start-ThrottleProxy -Target $env:AWS_ENDPOINT_URL -Throttle 0 -Unprocessed 0 -DelayMs $DelayMs
$model = Start-ThrottleProxy -Target $env:AWS_ENDPOINT_URL -Throttle 0 -Unprocessed 0 -DelayMs $DelayMs -AnswerUploads
try {
    for ($round = 1; $round -le $Rounds -and -not $SweepOnly; $round++) {
        $cliFirst = ($round % 2) -eq 1
        $r = Invoke-Setting "Round $round, direct" $env:AWS_ENDPOINT_URL $null $cliFirst
        $direct.Add($r)
        if ($round -eq 1) {
            # Idempotency: the same run again uploads nothing.
            Write-Step 'Direct: Publish-ProductAsset again (nothing to do)'
            $rerunOurs = Invoke-Publish $env:AWS_ENDPOINT_URL $r.Table $r.OurBucket 0 $null
            Write-Step 'Direct: aws s3 sync again (nothing to do)'
            $rerunCli = Invoke-Sync $env:AWS_ENDPOINT_URL $r.CliBucket $null
        }
        Clear-Setting $r
        $d = Invoke-Setting "Round $round, +$DelayMs ms" $proxy.Url $proxy (-not $cliFirst)
        $delayed.Add($d)
        Clear-Setting $d
        $m = Invoke-Setting "Round $round, +$DelayMs ms, uploads and updates answered by the proxy" $model.Url $model $cliFirst $false
        $modeled.Add($m)
        Clear-Setting $m
    }
    $values = @($Sweep -split ',' | Where-Object { $_.Trim() } | ForEach-Object { [int]$_ })
    $sweepRates = [ordered]@{}
    for ($round = 1; $round -le $Rounds -and $values; $round++) {
        # Rotate the order each round so no value always runs first.
        $ordered = @($values | Select-Object -Skip (($round - 1) % $values.Count)) + @($values | Select-Object -First (($round - 1) % $values.Count))
        foreach ($concurrency in $ordered) {
            foreach ($setting in @(@{ Name = 'direct'; Endpoint = $env:AWS_ENDPOINT_URL; Proxy = $null }, @{ Name = "+$DelayMs ms"; Endpoint = $proxy.Url; Proxy = $proxy },
                    @{ Name = "+$DelayMs ms, latency only"; Endpoint = $model.Url; Proxy = $model })) {
                Write-Step "Sweep round $round`: Publish-ProductAsset -MaxConcurrency $concurrency, $($setting.Name)"
                $table = New-ProductTable
                $bucket = New-Bucket
                $run = Invoke-Publish $setting.Endpoint $table $bucket $concurrency $setting.Proxy
                Remove-EcommerceTable -TableName $table -Force -Confirm:$false -ErrorAction SilentlyContinue | Out-Null
                Remove-Bucket $bucket
                $key = "$concurrency|$($setting.Name)"
                if (-not $sweepRates.Contains($key)) { $sweepRates[$key] = [System.Collections.Generic.List[double]]::new() }
                $sweepRates[$key].Add($Count / $run.Seconds)
                Write-Host "    $(Format-Number ($Count / $run.Seconds)) images/s"
            }
        }
    }
    $sweepRows = foreach ($key in ($sweepRates.Keys | Sort-Object { [int]($_ -split '\|')[0] }, { $_ })) {
        $concurrency, $name = $key -split '\|'
        "| $concurrency | $name | $(Format-Number (Get-Median $sweepRates[$key].ToArray())) | $(($sweepRates[$key] | ForEach-Object { Format-Number $_ }) -join ', ') |"
    }
}
finally {
    foreach ($p in $proxy, $model) { $p.Process.Kill($true); $p.Process.Dispose() }
}

# Results.
function Get-Row([string] $Name, $Runs) {
    $ours = Get-Median @($Runs | ForEach-Object { $Count / $_.ours.Seconds })
    $oursProcess = Get-Median @($Runs | ForEach-Object { $Count / $_.ours.ProcessSeconds })
    $cli = Get-Median @($Runs | ForEach-Object { $Count / $_.cli.Seconds })
    "| $Name | $(Format-Number $ours) | $(Format-Number $cli) | **$(Format-Number ($ours / $cli) 'N2')×** | $(Format-Number $oursProcess) ($(Format-Number ($oursProcess / $cli) 'N2')×) |"
}
function Get-CostRow([string] $Name, $Runs) {
    # Medians over the rounds. moto is one Python process (one core at most, the GIL): 1,000 ms ÷ its CPU per image is the
    # most images/s it can take from that contender, whatever the client does.
    $motoOurs = Get-Median @($Runs | ForEach-Object { $_.ours.MotoCpu * 1000 / $Count })
    $motoCli = Get-Median @($Runs | ForEach-Object { $_.cli.MotoCpu * 1000 / $Count })
    $clientOurs = Get-Median @($Runs | ForEach-Object { $_.ours.ClientCpu * 1000 / $Count })
    $clientCli = Get-Median @($Runs | ForEach-Object { $_.cli.ClientCpu * 1000 / $Count })
    $ceiling = { param($ms) if ($ms -gt 0) { Format-Number (1000 / $ms) } else { 'n/a' } }
    "| $Name | $(Format-Number $motoOurs 'N1') ms | $(Format-Number $motoCli 'N1') ms | $(& $ceiling $motoOurs) / $(& $ceiling $motoCli) | $(Format-Number $clientOurs 'N1') ms | $(Format-Number $clientCli 'N1') ms |"
}
$machine = "$([Environment]::ProcessorCount) cores ($((Get-Content /proc/cpuinfo -ErrorAction SilentlyContinue | Select-String '^model name\s*:\s*(.*)' | Select-Object -First 1).Matches.Groups[1].Value)), load average $loadAtStart at the start and $((Get-Content /proc/loadavg).Split(' ')[0..2] -join ' ') at the end, $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription), .NET $([Environment]::Version)"
$cliVersion = (& /usr/bin/aws --version 2>&1) -join ' '
if ($SweepOnly) {
    $report = "$(Format-Number $Count) images, $ImagesPerProduct per product, $((Get-Date).ToString('yyyy-MM-dd')), $machine; $Rounds round(s).`n`n| -MaxConcurrency | Setting | images/s (median) | each round |`n|---:|---|---:|---|`n$($sweepRows -join "`n")"
}
else {
$report = @"
$(Format-Number $Count) PNG images of $(Format-Number ($bytes / $Count / 1KB) 'N1') KB on average ($(Format-Number ($bytes / 1MB) 'N1') MB), $ImagesPerProduct per product ($(Format-Number $productCount) products), $((Get-Date).ToString('yyyy-MM-dd')), $machine; moto $(& python3 -c 'import moto; print(moto.__version__)' 2>$null); $cliVersion; Publish-ProductAsset -MaxConcurrency $([EcommerceAws.Contract.AssetPublishSpec]::DefaultMaxConcurrency) (default), aws s3 sync with its defaults (10 concurrent requests); $Rounds round(s), median.

| Setting | Publish-ProductAsset images/s (upload + URL rewrite) | aws s3 sync images/s (upload only) | Ratio | Publish-ProductAsset incl. pwsh start + Import-Module |
|---|---:|---:|---:|---:|
$(Get-Row 'direct (moto)' $direct)
$(Get-Row "+$DelayMs ms per request (proxy → moto)" $delayed)
$(Get-Row "+$DelayMs ms per request, uploads and updates answered by the proxy (latency only)" $modeled)

| Where the time goes (median) | moto CPU per image, ours | moto CPU per image, CLI | moto's ceiling (images/s at one full core), ours / CLI | client CPU per image, ours (whole pwsh process) | client CPU per image, CLI |
|---|---:|---:|---:|---:|---:|
$(Get-CostRow 'direct' $direct)
$(Get-CostRow "+$DelayMs ms" $delayed)
$(Get-CostRow "+$DelayMs ms, latency only" $modeled)

| Requests seen by the +$DelayMs ms proxy (round 1; the same in every setting) | |
|---|---|
| Publish-ProductAsset | $(Format-Requests $delayed[0].ours.Requests $Count) |
| aws s3 sync | $(Format-Requests $delayed[0].cli.Requests $Count) |

| Re-run, direct (nothing to upload) | Seconds | Uploaded |
|---|---:|---:|
| Publish-ProductAsset | $(Format-Number $rerunOurs.Seconds 'N1') | $($rerunOurs.Uploaded) (skipped $($rerunOurs.Skipped), products rewritten $($rerunOurs.Updated)) |
| aws s3 sync | $(Format-Number $rerunCli.Seconds 'N1') | 0 |
$(if ($sweepRows) { "`n| -MaxConcurrency | Setting | images/s (median) | each round |`n|---:|---|---:|---|`n$($sweepRows -join "`n")" })
"@
}
$report | Set-Content (Join-Path $benchOut $(if ($SweepOnly) { 'assets-sweep.md' } else { 'assets.md' }))
Write-Host ''
$report
Write-Host ''
if (-not $SweepOnly) { Write-Host "Raw: direct $($direct | ForEach-Object { @{ ours = $_.ours; cli = $_.cli } } | ConvertTo-Json -Compress -Depth 5); delayed $($delayed | ForEach-Object { @{ ours = $_.ours; cli = $_.cli } } | ConvertTo-Json -Compress -Depth 5); latency only $($modeled | ForEach-Object { @{ ours = $_.ours; cli = $_.cli } } | ConvertTo-Json -Compress -Depth 5)" }
Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
Write-Host "Benchmark took $(Format-Number ((Get-Date) - $started).TotalSeconds 'N0') s; written to $(Join-Path $benchOut $(if ($SweepOnly) { 'assets-sweep.md' } else { 'assets.md' }))."
