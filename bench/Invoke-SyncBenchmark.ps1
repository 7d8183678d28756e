#Requires -Version 7.4
<#
.SYNOPSIS
    Sync-EcommerceMigration under a steady source load: apply rate, lag (median, max) and how long -Drain takes once writes stop.
.DESCRIPTION
    Not a test: nothing fails on a missed target (lag under 2 s, -Drain within 5 s of the last write). Needs the environment
    `build.ps1 Test` sets up (AWS_ENDPOINT_URL of a moto server, ECOM_MONGOWIRE_DLL, ECOM_MODULE_PATH); starts its own
    MongoWire replica set. Steps: seed -Count products; start the sync in a child pwsh (streams until stopped); once it
    streams, the application simulator (MongoWire.dll client apply, MongoDB.Driver) writes -Rate mixed changes a second
    (price/stock updates, renames, inserts, deletes) for -Seconds; the status item's SyncLagSeconds is sampled every 1 s
    (the sync writes it with its lease renewal, every second with the 3 s lease used here). At the last write the
    cut-over starts: the child is stopped as Stop-Job or Ctrl+C does (SIGINT; kill -9 and the lease's expiry if it does
    not stop in 20 s), then `Sync-EcommerceMigration -Drain` runs in this process; LastWriteToDrained is the time from
    the last write to the end of -Drain. CPU seconds per process (utime + stime from /proc/<pid>/stat) are reported for
    the writing window and for -Drain: moto, the MongoWire server, the sync, the simulator and this process.
.EXAMPLE
    dotnet pwsh ./build.ps1 Bench -Scenario Sync -BenchParameters @{ Count = 2000; Rate = 500; Seconds = 20 }
#>
param(
    [int] $Count = 5000,
    [int] $Rate = 500,
    [int] $Seconds = 30,
    [int] $MaxConcurrency = 8,
    # Connections the application simulator writes on at once (the writes of one document stay in one, in order).
    [int] $Lanes = 4
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../tests/Pester/TestHelpers.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../tests/Pester/MigrationHelpers.psm1') -Force
Import-EcommerceAws
$env:ECOM_MIGRATION_LEASE_SECONDS = '3'
$dll = $env:ECOM_MONGOWIRE_DLL

function Get-ProcessTable {
    # pid → (ppid, CPU seconds) from /proc/<pid>/stat (utime + stime, clock ticks of 1/100 s).
    $table = @{}
    foreach ($dir in [System.IO.Directory]::GetDirectories('/proc')) {
        $name = [System.IO.Path]::GetFileName($dir)
        if ($name -notmatch '^\d+$') { continue }
        try { $stat = [System.IO.File]::ReadAllText("$dir/stat") } catch { continue }
        $fields = $stat.Substring($stat.LastIndexOf(')') + 2).Split(' ')
        $table[[int]$name] = [pscustomobject]@{ Parent = [int]$fields[1]; Cpu = ([double]$fields[11] + [double]$fields[12]) / 100 }
    }
    $table
}

function Get-TreeCpu([hashtable] $Roots) {
    # CPU seconds used so far by each named process and its descendants (Bench: this process alone, its children are the others).
    $table = Get-ProcessTable
    $result = [ordered]@{}
    foreach ($key in $Roots.Keys) {
        $ids = [System.Collections.Generic.HashSet[int]]::new(); $null = $ids.Add($Roots[$key])
        if ($key -ne 'Bench') { do { $added = $false; foreach ($id in $table.Keys) { if (-not $ids.Contains($id) -and $ids.Contains($table[$id].Parent)) { $null = $ids.Add($id); $added = $true } } } while ($added) }
        $result[$key] = ($ids | ForEach-Object { if ($table.ContainsKey($_)) { $table[$_].Cpu } } | Measure-Object -Sum).Sum
    }
    $result
}

function Get-MotoId {
    # The moto server behind AWS_ENDPOINT_URL: the python process with that port on its command line.
    $port = ([uri]$env:AWS_ENDPOINT_URL).Port
    foreach ($dir in [System.IO.Directory]::GetDirectories('/proc')) {
        try { $line = [System.IO.File]::ReadAllText("$dir/cmdline").Replace([char]0, ' ') } catch { continue }
        if ($line -match 'moto' -and $line -match "-p $port\b") { return [int][System.IO.Path]::GetFileName($dir) }
    }
}

$startInfo = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
foreach ($a in @($dll, 'serve', '--port', '0', '--exit-on-stdin-eof', '--replica-set', 'rs0', '--oplog-size', '1000000')) { $startInfo.ArgumentList.Add($a) }
$startInfo.UseShellExecute = $false; $startInfo.RedirectStandardOutput = $true; $startInfo.RedirectStandardInput = $true
$server = [System.Diagnostics.Process]::Start($startInfo)
$child = $null
$table = New-TestName 'syncbench'
try {
    if ($server.StandardOutput.ReadLine() -notmatch '^LISTENING (\d+)$') { throw 'MongoWire did not start' }
    $db = 'bench'
    $uri = "mongodb://127.0.0.1:$($Matches[1])/$db`?replicaSet=rs0"
    $null = New-EcommerceTable -TableName $table -Confirm:$false
    $seed = Write-Lines @(New-ProductLines -Count $Count -Seed 91)
    $null = Invoke-MongoClient --uri $uri --db $db --collection products insert --file $seed

    # The application's writes: 60 % price/stock updates, 15 % renames, 15 % inserts, 10 % deletes.
    $total = $Rate * $Seconds
    $ops = [System.Collections.Generic.List[string]]::new($total)
    for ($i = 0; $i -lt $total; $i++) {
        $p = ($i * 7919) % $Count
        $id = '{"$oid":"' + (New-ObjectIdText 91 $p) + '"}'
        switch ($i % 20) {
            { $_ -lt 12 } { $ops.Add('{"op":"update","id":' + $id + ',"update":{"$set":{"price":' + (1000 + $i) + '},"$inc":{"stock":{"$numberLong":"1"}}}}'); break }
            { $_ -lt 15 } { $ops.Add('{"op":"update","id":' + $id + ',"update":{"$set":{"nameEn":"Renamed ' + $i + '","category":"Moved ' + ($i % 5) + '"}}}'); break }
            { $_ -lt 18 } { $ops.Add('{"op":"insert","document":{"_id":{"$oid":"' + (New-ObjectIdText 92 $i) + '"},"nameEn":"New ' + $i + '","nameFr":"Nouveau","category":"Beauty","price":500,"currency":"XAF","stock":1}}'); break }
            default { $ops.Add('{"op":"delete","id":' + $id + '}') }
        }
    }
    $script = Write-Lines $ops.ToArray()

    $log = Join-Path ([System.IO.Path]::GetTempPath()) "syncbench-$table.log"
    $child = Start-PwshProcess @"
Import-Module '$env:ECOM_MODULE_PATH'
Set-Location '$([System.IO.Path]::GetTempPath())'
Sync-EcommerceMigration -TableName '$table' -MongoUri '$uri' -Entity Product -MaxConcurrency $MaxConcurrency *>> '$log'
"@
    $load = [System.Diagnostics.Stopwatch]::StartNew()
    do { Start-Sleep -Milliseconds 250; $s = Get-StatusItem $table 'Product' } until (($s -and $s.PSObject.Properties['SyncPhase'] -and $s.SyncPhase.S -eq 'Streaming') -or $child.HasExited)
    if ($child.HasExited) { throw "the sync exited: $(Get-Content $log -Raw)" }
    $fullLoadSeconds = $load.Elapsed.TotalSeconds
    $appliedBefore = [long]$s.SyncEventsApplied.N

    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in @($dll, 'client', '--uri', $uri, 'apply', '--db', $db, '--collection', 'products', '--file', $script, '--rate', "$Rate", '--lanes', "$Lanes")) { $info.ArgumentList.Add($a) }
    $info.UseShellExecute = $false; $info.RedirectStandardOutput = $true
    $app = [System.Diagnostics.Process]::Start($info)
    $roots = @{ Moto = (Get-MotoId); MongoWire = $server.Id; Sync = $child.Id; Simulator = $app.Id; Bench = $PID }
    $cpuBefore = Get-TreeCpu $roots
    $writing = [System.Diagnostics.Stopwatch]::StartNew()
    $lags = [System.Collections.Generic.List[double]]::new()
    $simulatorCpu = 0   # read while it runs (the last sample before it exits)
    while (-not $app.HasExited) {
        Start-Sleep -Milliseconds 1000
        # In-process (the module is loaded here): an aws CLI process per sample would load the machine it measures.
        $s = Get-MigrationStatus -TableName $table -Entity Product
        if ($null -ne $s.LagSeconds) { $lags.Add([double]$s.LagSeconds) }
        try { $stat = [System.IO.File]::ReadAllText("/proc/$($app.Id)/stat"); $f = $stat.Substring($stat.LastIndexOf(')') + 2).Split(' '); $simulatorCpu = ([double]$f[11] + [double]$f[12]) / 100 } catch { }
    }
    $writeSeconds = $writing.Elapsed.TotalSeconds
    # The cut-over from the last write on: stop the streaming sync as Stop-Job / Ctrl+C does (SIGINT: it records its
    # resume point and releases the lease; kill -9 and the lease's expiry if it does not stop in 20 s), then -Drain.
    $cutOver = [System.Diagnostics.Stopwatch]::StartNew()
    $cpuAfter = Get-TreeCpu $roots
    $null = & /bin/kill -INT $child.Id
    $graceful = $child.WaitForExit(20000)
    if (-not $graceful) { $child.Kill($true); $child.WaitForExit(); $null = Wait-LeaseExpiry $table 'Product' }
    $stopSeconds = $cutOver.Elapsed.TotalSeconds
    $s = Get-StatusItem $table 'Product'
    $applied = [long]$s.SyncEventsApplied.N - $appliedBefore
    $drainRoots = @{ Moto = $roots.Moto; MongoWire = $server.Id; Bench = $PID }
    $drainCpuBefore = Get-TreeCpu $drainRoots
    $drain = [System.Diagnostics.Stopwatch]::StartNew()
    $drained = Sync-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product -Drain -MaxConcurrency $MaxConcurrency
    $drainSeconds = $drain.Elapsed.TotalSeconds
    $lastWriteToDrained = $cutOver.Elapsed.TotalSeconds
    $drainCpuAfter = Get-TreeCpu $drainRoots
    $cpu = [ordered]@{}
    foreach ($key in 'Moto', 'MongoWire', 'Sync', 'Bench') { $cpu[$key] = [math]::Round($cpuAfter[$key] - $cpuBefore[$key], 1) }
    $cpu['Simulator'] = [math]::Round($simulatorCpu, 1)
    $drainCpu = [ordered]@{}
    foreach ($key in 'Moto', 'MongoWire', 'Bench') { $drainCpu[$key] = [math]::Round($drainCpuAfter[$key] - $drainCpuBefore[$key], 1) }
    $check = Test-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product -Full

    $sorted = @($lags | Sort-Object)
    $median = if ($sorted.Count) { $sorted[[int][math]::Floor(($sorted.Count - 1) / 2)] } else { [double]::NaN }
    [pscustomobject]@{
        Products           = $Count
        FullLoadSeconds    = [math]::Round($fullLoadSeconds, 1)
        TargetRate         = $Rate
        SimulatorLanes     = $Lanes
        WrittenOps         = $total
        WriteSeconds       = [math]::Round($writeSeconds, 1)
        SourceOpsPerSecond = [math]::Round($total / $writeSeconds, 0)
        EventsApplied      = $applied
        ApplyPerSecond     = [math]::Round($applied / ($writeSeconds + $stopSeconds), 0)
        LagMedianSeconds   = $median
        LagMaxSeconds      = ($sorted | Measure-Object -Maximum).Maximum
        LagSamples         = $lags -join ' '
        StopSeconds        = "$([math]::Round($stopSeconds, 1)) ($(if ($graceful) { 'Ctrl+C' } else { 'kill -9 + lease expiry' }))"
        DrainSeconds       = [math]::Round($drainSeconds, 1)
        LastWriteToDrained = [math]::Round($lastWriteToDrained, 1)
        DrainEvents        = $drained.EventsThisRun
        FullCheckPassed    = $check.Passed
        StreamCpuSeconds   = ($cpu.GetEnumerator() | ForEach-Object { "$($_.Key) $($_.Value)" }) -join ', '
        DrainCpuSeconds    = ($drainCpu.GetEnumerator() | ForEach-Object { "$($_.Key) $($_.Value)" }) -join ', '
        Uptime             = (Get-Content /proc/loadavg -Raw).Trim()
    }
}
finally {
    if ($child -and -not $child.HasExited) { $child.Kill($true); $child.WaitForExit() }
    if (-not $server.HasExited) { $server.Kill($true); $null = $server.WaitForExit(5000) }
    Remove-EcommerceTable -TableName $table -Force -Confirm:$false -ErrorAction SilentlyContinue
}
