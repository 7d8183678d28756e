<#
.SYNOPSIS
    Builds, tests and demonstrates the EcommerceAws module.
.DESCRIPTION
    Tasks (run in order when several are given):
      Bootstrap  install what is missing, and only that: Pester 5.9.1 (NuGet), moto server (pip),
                 redis-server, awscli, openssl, nodejs and npm (apt-get, as root), and the npm `mongodb`
                 driver the change-stream tests use as a second client (npm ci, pinned by package-lock.json)
      Build      publish a ready-to-import module folder to out/EcommerceAws
      Test       Build, start moto + redis-server + the MongoDB wire test server on free 127.0.0.1 ports,
                 run Pester (NUnit XML to out/test-results.xml), stop the services, print 'N passed, N failed'.
                 The engine's unit tests (tests/Unit, xunit, no services) run first and count in that line.
                 -Tag Unit runs the fast tier only (no services); -Tag Integration the rest
      RunTests   (internal) one worker of a parallel Test run: its own stand-ins, no build
      Demo       Build, start the stand-ins, run samples/Invoke-Demo.ps1 against them, stop them
      Bench      Build, start the stand-ins, run bench/Invoke-Benchmark.ps1 (-Scenario Migration, the default) or
                 bench/Invoke-AssetBenchmark.ps1 (-Scenario Assets: Publish-ProductAsset against aws s3 sync)
      Clean      remove out/ and the bin/obj folders
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 Test
.EXAMPLE
    dotnet pwsh ./build.ps1 Test -TestPath tests/Pester/EcommerceTable.Tests.ps1
.EXAMPLE
    dotnet pwsh ./build.ps1 Test -Tag Unit
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Bootstrap', 'Build', 'Test', 'RunTests', 'Demo', 'Bench', 'Clean')]
    [string[]] $Task = @('Build'),

    # Pester paths to run (default: tests/Pester).
    [string[]] $TestPath,

    # Only tests whose full name matches one of these wildcards.
    [string[]] $TestName,

    # Only tests with one of these Pester tags: Unit (no services, about a minute) or Integration. Default: all.
    [string[]] $Tag,

    # Test processes running at once, each with its own stand-ins. Default: one per core (at least 2) for the whole
    # suite, 1 for -TestPath or -Tag Unit.
    [int] $Workers = 0,

    # (internal) the index of a RunTests worker.
    [int] $Worker = 0,

    # Arguments passed on to the benchmark script.
    [hashtable] $BenchParameters = @{},

    # Which benchmark Bench runs: the migration (default) or the product images (Assets).
    [ValidateSet('Migration', 'Assets')]
    [string] $Scenario = 'Migration',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
# 'a,b' arrives as one string through 'pwsh -File': split lists.
$Tag = @($Tag | ForEach-Object { $_ -split ',' } | ForEach-Object Trim | Where-Object { $_ })
foreach ($t in $Tag) { if ($t -notin 'Unit', 'Integration') { throw "-Tag takes Unit or Integration, not '$t'." } }
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'EcommerceAws'
$FixturesOut = Join-Path $Out 'fixtures'
$LogDirectory = Join-Path $Out 'logs'
$PesterVersion = '5.9.1'
$NodeMongoClient = Join-Path $Root 'tests/Fixtures/node-mongo'
Import-Module (Join-Path $Root 'tests/TestServices.psm1') -Force

function Write-Step([string] $Message) { Write-Host "==> $Message" -ForegroundColor Cyan }

function Invoke-Native {
    # Runs a native command and stops the build when it fails.
    param([string] $FilePath, [string[]] $ArgumentList)
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) { throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE." }
}

function Get-PwshCommand {
    # The dotnet tool ships pwsh.dll (no native host); a normal install has a pwsh executable.
    $exe = Join-Path $PSHOME 'pwsh'
    if (Test-Path $exe -PathType Leaf) { return @($exe) }
    @('dotnet', (Join-Path $PSHOME 'pwsh.dll'))
}

function Get-PesterModulePath {
    $packages = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    Join-Path $packages.Trim() "pester/$PesterVersion/tools/Pester.psd1"
}

function Test-IsRoot { (& id -u) -eq '0' }

function Invoke-Bootstrap {
    Write-Step 'Bootstrap: installing only what is missing'
    if (-not (Test-Path (Get-PesterModulePath))) {
        Invoke-Native dotnet @('restore', (Join-Path $Root 'build/tools.proj'), '--nologo', '-v', 'q')
    }
    & python3 -c 'import moto.server' 2>$null
    if ($LASTEXITCODE -ne 0) {
        Write-Step 'Installing moto server (pip)'
        Invoke-Native python3 @('-m', 'pip', 'install', '--quiet', 'moto[server]')
    }
    $apt = @()
    if (-not (Get-Command redis-server -ErrorAction SilentlyContinue)) { $apt += 'redis-server' }
    if (-not (Test-Path '/usr/bin/aws')) { $apt += 'awscli' }
    if (-not (Get-Command openssl -ErrorAction SilentlyContinue)) { $apt += 'openssl' }   # TLS test certificates
    if (-not (Get-Command node -ErrorAction SilentlyContinue)) { $apt += 'nodejs' }        # second MongoDB client
    if (-not (Get-Command npm -ErrorAction SilentlyContinue)) { $apt += 'npm' }
    if ($apt) {
        if (-not (Test-IsRoot)) {
            throw "Missing $($apt -join ', '). Install them with: sudo apt-get install -y $($apt -join ' ')"
        }
        Write-Step "Installing $($apt -join ', ') (apt-get)"
        $env:DEBIAN_FRONTEND = 'noninteractive'
        Invoke-Native apt-get @('update', '-qq')
        Invoke-Native apt-get (@('install', '-y', '-qq', '--no-install-recommends') + $apt)
    }
    if (-not (Test-NodeMongoClient)) {
        Write-Step 'Installing the npm mongodb driver for the tests (npm ci)'
        Invoke-Native npm @('ci', '--prefix', $NodeMongoClient, '--no-audit', '--no-fund', '--loglevel', 'error')
    }
}

function Test-NodeMongoClient {
    # Installed, and at the version package-lock.json pins (a bumped lock reinstalls).
    $installed = Join-Path $NodeMongoClient 'node_modules/mongodb/package.json'
    if (-not (Test-Path $installed)) { return $false }
    $lock = Get-Content -Raw (Join-Path $NodeMongoClient 'package-lock.json') | ConvertFrom-Json -AsHashtable
    (Get-Content -Raw $installed | ConvertFrom-Json).version -eq $lock.packages['node_modules/mongodb'].version
}

function Invoke-Build {
    Write-Step "Build ($Configuration) -> $ModuleOut"
    $staging = Join-Path $Out 'staging'
    Remove-Item -Recurse -Force $ModuleOut, $staging -ErrorAction SilentlyContinue
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/Cmdlets/EcommerceAws.csproj'), '-c', $Configuration,
        '-o', $staging, '--nologo', '-v', 'q', '-p:GenerateDocumentationFile=true')

    $null = New-Item -ItemType Directory -Force -Path $ModuleOut, (Join-Path $ModuleOut 'Dependencies'), (Join-Path $ModuleOut 'en-US')
    # The cmdlets and the shared types stay in the default load context; the engine and every third-party dll are
    # isolated in Dependencies/ (src/Cmdlets/Internal/ModuleInitializer.cs).
    $defaultContext = 'EcommerceAws.dll', 'EcommerceAws.Shared.dll'
    Copy-Item ($defaultContext | ForEach-Object { Join-Path $staging $_ }) $ModuleOut
    Get-ChildItem $staging -File |
        Where-Object { $_.Name -notin $defaultContext -and $_.Name -ne 'System.Management.Automation.dll' -and $_.Extension -in '.dll', '.so' } |
        Copy-Item -Destination (Join-Path $ModuleOut 'Dependencies')
    Copy-Item (Join-Path $Root 'EcommerceAws.psd1') $ModuleOut

    # One format file, merged from one file per area so each area owns its views.
    $views = Get-ChildItem (Join-Path $Root 'src/Cmdlets/Formats') -Filter '*.Format.ps1xml' | Sort-Object Name | ForEach-Object {
        ([xml](Get-Content -Raw $_.FullName)).Configuration.ViewDefinitions.InnerXml
    }
    $format = "<?xml version=`"1.0`" encoding=`"utf-8`"?>`n<Configuration><ViewDefinitions>$($views -join "`n")</ViewDefinitions></Configuration>"
    ([xml]$format).Save((Join-Path $ModuleOut 'EcommerceAws.Format.ps1xml'))

    # MAML help from the cmdlets' metadata and XML doc comments, in a clean process.
    $pwsh = @(Get-PwshCommand)
    $xmlDoc = Join-Path $staging 'EcommerceAws.xml'
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $Root 'build/New-MamlHelp.ps1') `
        -ModulePath $ModuleOut -XmlDocPath $xmlDoc -OutputPath (Join-Path $ModuleOut 'en-US/EcommerceAws.dll-Help.xml')
    if ($LASTEXITCODE -ne 0) { throw 'Help generation failed.' }

    # Test fixtures: the MongoDB wire test server and a module built against other dependency versions.
    foreach ($fixture in Get-ChildItem (Join-Path $Root 'tests/Fixtures') -Filter '*.csproj' -Recurse) {
        Invoke-Native dotnet @('build', $fixture.FullName, '-c', $Configuration,
            '-o', (Join-Path $FixturesOut $fixture.BaseName), '--nologo', '-v', 'q')
    }
    Remove-Item -Recurse -Force $staging
}

function Start-StandIns {
    Write-Step 'Starting moto server, redis-server and the MongoDB wire test server on 127.0.0.1'
    $services = [ordered]@{}
    try {
        $services.Moto = Start-MotoServer -LogDirectory $LogDirectory
        $services.Redis = Start-RedisServer -LogDirectory $LogDirectory
        $mongoWireDll = Join-Path $FixturesOut 'MongoWire/MongoWire.dll'
        if (Test-Path $mongoWireDll) {
            $services.Mongo = Start-MongoWireServer -LogDirectory $LogDirectory -MongoWireDll $mongoWireDll
            $env:ECOM_MONGOWIRE_DLL = $mongoWireDll
            $env:ECOM_TEST_MONGO_URI = $services.Mongo.Url
        }
    }
    catch {
        $services.Values | Stop-TestService
        throw
    }
    Set-TestEnvironment -AwsEndpointUrl $services.Moto.Url
    $env:ECOM_TEST_REDIS_URL = $services.Redis.Url
    $services
}

function Set-TestEnvironment([string] $AwsEndpointUrl) {
    # Local stand-ins only: dummy credentials, an isolated AWS config, no instance metadata lookups.
    $env:AWS_ENDPOINT_URL = $AwsEndpointUrl
    $env:AWS_ACCESS_KEY_ID = 'testing'
    $env:AWS_SECRET_ACCESS_KEY = 'testing'
    Remove-Item Env:AWS_SESSION_TOKEN, Env:AWS_PROFILE -ErrorAction SilentlyContinue
    $env:AWS_REGION = 'us-east-1'
    $env:AWS_DEFAULT_REGION = 'us-east-1'
    $env:AWS_EC2_METADATA_DISABLED = 'true'
    $env:AWS_CONFIG_FILE = Join-Path $Out 'aws-config-none'
    $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $Out 'aws-credentials-none'
    $env:ECOM_REPO_ROOT = $Root
    $env:ECOM_MODULE_PATH = $ModuleOut
    # moto answers 500 to every ElastiCache Serverless call, for good, and the transport retries 5xx with a 1 s backoff
    # base (up to ~15 s a call): shorten the base for the stand-ins (test-only knob; tests of the defaults unset it).
    $env:ECOM_AWS_RETRY_BASE_MS = '50'
}

function Invoke-PesterRun {
    <#
    Runs Pester once in this process against its own stand-ins and returns a summary: counts, failed test names and the
    seconds each file took. Used directly (one file, -TestPath, -Tag Unit) and by each worker of a parallel run.
    #>
    param([string[]] $Paths, [string] $ResultPath, [string] $Verbosity = 'Detailed')
    $pesterPath = Get-PesterModulePath
    if (-not (Test-Path $pesterPath)) { throw "Pester $PesterVersion is missing: run ./build.ps1 Bootstrap." }
    Import-Module $pesterPath -RequiredVersion $PesterVersion -Force
    $unitOnly = $Tag -and -not ($Tag -contains 'Integration')
    if ($unitOnly) {
        # The fast tier needs no service: an AWS call that slipped in meets a closed port at once, never real AWS.
        Set-TestEnvironment -AwsEndpointUrl "http://127.0.0.1:$(Get-FreePort)"
        $services = @{}
    }
    else { $services = Start-StandIns }
    try {
        $config = New-PesterConfiguration
        $config.Run.Path = $Paths
        $config.Run.PassThru = $true
        $config.Output.Verbosity = $Verbosity
        $config.TestResult.Enabled = $true
        $config.TestResult.OutputFormat = 'NUnitXml'
        $config.TestResult.OutputPath = $ResultPath
        if ($TestName) { $config.Filter.FullName = @($TestName -split ',') }
        if ($Tag) { $config.Filter.Tag = @($Tag -split ',') }
        $result = Invoke-Pester -Configuration $config
    }
    finally {
        Write-Step 'Stopping the stand-ins'
        $services.Values | Stop-TestService
    }
    if (-not $result) { throw 'Pester did not return a result.' }
    $failedNames = [System.Collections.Generic.List[string]]::new()
    foreach ($test in $result.Failed) { $failedNames.Add($test.ExpandedPath) }
    foreach ($block in $result.FailedBlocks) { $failedNames.Add("$($block.ExpandedPath) (block)") }
    foreach ($container in $result.FailedContainers) { $failedNames.Add("$($container.Item) (file)") }
    # A skipped test hides a regression as well as a failed one: it counts as failed unless its reason names one of the
    # accepted causes (Set-ItResult -Skipped -Because 'accepted-skip:<cause>: ...').
    $acceptedSkips = @('not-root')
    foreach ($test in $result.Skipped) {
        $reason = (@($test.ErrorRecord) | ForEach-Object { $_.Exception.Message }) -join ' '
        $cause = if ($reason -match 'accepted-skip:([\w-]+)') { $Matches[1] }
        if ($cause -notin $acceptedSkips) { $failedNames.Add("$($test.ExpandedPath) (skipped without an accepted reason: $reason)") }
    }
    $seconds = @{}
    foreach ($container in $result.Containers) { $seconds[[System.IO.Path]::GetFileName("$($container.Item)")] = [math]::Round($container.Duration.TotalSeconds, 1) }
    [pscustomobject]@{ Passed = $result.PassedCount; Failed = $failedNames.Count; Skipped = $result.SkippedCount; FailedNames = @($failedNames); Seconds = $seconds }
}

function Write-TestSummary($Summary) {
    # The plain closing line CI reads (the unit tests of tests/Unit included); zero tests run is a failure too.
    foreach ($name in $Summary.FailedNames) { Write-Host "FAILED: $name" -ForegroundColor Red }
    Write-Host ''
    if ($script:UnitPassed) { Write-Host "Unit tests (tests/Unit): $($script:UnitPassed) passed; Pester: $($Summary.Passed) passed" }
    Write-Output "$($Summary.Passed + $script:UnitPassed) passed, $($Summary.Failed) failed, $($Summary.Skipped) skipped"
    if ($Summary.Failed -gt 0) { throw "$($Summary.Failed) test(s) or test blocks failed." }
    if ($Summary.Passed + $script:UnitPassed -eq 0) { throw 'No test ran.' }
}

function Invoke-UnitTest {
    # Pure-logic engine tests (xunit): they need no service. Fails the build on any failure; returns the passed count.
    $project = Join-Path $Root 'tests/Unit/EcommerceAws.Engine.Tests.csproj'
    $trx = Join-Path $Out 'unit-results.trx'
    Remove-Item $trx -ErrorAction SilentlyContinue
    Write-Step 'Unit tests (tests/Unit)'
    & dotnet test $project -c $Configuration --nologo -v q --logger "trx;LogFileName=$trx" --results-directory $Out | Out-Host
    $code = $LASTEXITCODE
    if (-not (Test-Path $trx)) { throw "The unit tests produced no results (dotnet test exit code $code)." }
    $counters = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
    $failed = [int]$counters.failed + [int]$counters.error
    if ($code -ne 0 -or $failed -gt 0) { throw "$failed unit test(s) failed (dotnet test exit code $code)." }
    if ([int]$counters.passed -eq 0) { throw 'No unit test ran.' }
    [int]$counters.passed
}

$script:UnitPassed = 0

function Invoke-Test {
    # tests/Unit first (seconds), unless -TestPath names only Pester files or -Tag asks for Integration only.
    $wantsUnit = (-not $TestPath -or ($TestPath -join ',') -match 'tests[/\\]Unit') -and -not ($Tag -and -not ($Tag -contains 'Unit'))
    if ($wantsUnit) { $script:UnitPassed = Invoke-UnitTest }
    $pesterPaths = @($TestPath -split ',' | Where-Object { $_ -and $_ -notmatch 'tests[/\\]Unit' })
    if ($TestPath -and $pesterPaths.Count -eq 0) {
        Write-Output "$($script:UnitPassed) passed, 0 failed, 0 skipped"
        return
    }
    $paths = if ($TestPath) { @($pesterPaths | ForEach-Object { Join-Path $Root $_.Trim() }) } else { @(Join-Path $Root 'tests/Pester') }
    $unitOnly = $Tag -and -not ($Tag -contains 'Integration')
    $workers = if ($Workers -gt 0) { $Workers } elseif ($TestPath -or $unitOnly) { 1 } else { [math]::Max(2, [Environment]::ProcessorCount) }
    if ($workers -eq 1) {
        Write-TestSummary (Invoke-PesterRun -Paths $paths -ResultPath (Join-Path $Out 'test-results.xml'))
        return
    }

    # Parallel: the test files are dealt to N workers, each a pwsh process with its own moto, redis and MongoDB wire
    # server (so no test sees another's state), longest files first by the last recorded durations.
    $files = @(Get-ChildItem $paths -Recurse -Filter '*.Tests.ps1' | Sort-Object FullName)
    $known = @{}
    $durationsFile = Join-Path $Root 'tests/durations.json'
    if (Test-Path $durationsFile) { (Get-Content -Raw $durationsFile | ConvertFrom-Json).PSObject.Properties | ForEach-Object { $known[$_.Name] = [double]$_.Value } }
    $weighted = $files | ForEach-Object { [pscustomobject]@{ File = $_; Weight = if ($known.ContainsKey($_.Name)) { $known[$_.Name] } else { $_.Length / 200 } } } |
        Sort-Object Weight -Descending
    $shards = @(1..$workers | ForEach-Object { [pscustomobject]@{ Files = [System.Collections.Generic.List[string]]::new(); Weight = 0.0 } })
    foreach ($w in $weighted) { $lightest = $shards | Sort-Object Weight | Select-Object -First 1; $lightest.Files.Add($w.File.FullName); $lightest.Weight += $w.Weight }

    Write-Step "Running $($files.Count) test files in $workers workers"
    $null = New-Item -ItemType Directory -Force -Path $LogDirectory
    $pwsh = @(Get-PwshCommand)
    $running = for ($i = 0; $i -lt $workers; $i++) {
        $log = Join-Path $LogDirectory "test-worker-$i.log"
        $summaryPath = Join-Path $Out "test-worker-$i.json"
        Remove-Item $summaryPath -ErrorAction SilentlyContinue
        $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'build.ps1'), 'RunTests',
            '-TestPath', ($shards[$i].Files -join ','), '-Worker', "$i")
        if ($TestName) { $arguments += @('-TestName', ($TestName -join ',')) }
        if ($Tag) { $arguments += @('-Tag', ($Tag -join ',')) }
        Write-Host "    worker ${i}: $($shards[$i].Files.Count) files (~$([math]::Round($shards[$i].Weight)) s), log $log"
        [pscustomobject]@{
            Index = $i; Log = $log; Summary = $summaryPath
            Process = Start-Process -FilePath $pwsh[0] -ArgumentList $arguments -PassThru -RedirectStandardOutput $log -RedirectStandardError "$log.err"
        }
    }
    $total = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0; FailedNames = [System.Collections.Generic.List[string]]::new(); Seconds = @{} }
    foreach ($worker in $running) {
        $worker.Process.WaitForExit()
        Write-Step "Worker $($worker.Index) finished"
        Get-Content $worker.Log | Write-Host
        if (Test-Path "$($worker.Log).err") { Get-Content "$($worker.Log).err" | Write-Host }
        if (-not (Test-Path $worker.Summary)) { $total.Failed++; $total.FailedNames.Add("worker $($worker.Index) crashed (exit code $($worker.Process.ExitCode))"); continue }
        $summary = Get-Content -Raw $worker.Summary | ConvertFrom-Json
        $total.Passed += $summary.Passed; $total.Failed += $summary.Failed; $total.Skipped += $summary.Skipped
        foreach ($name in $summary.FailedNames) { $total.FailedNames.Add($name) }
        foreach ($p in $summary.Seconds.PSObject.Properties) { $total.Seconds[$p.Name] = $p.Value }
    }
    # Durations of this run, to balance the next one (copy to tests/durations.json to change the committed balance).
    $total.Seconds | ConvertTo-Json | Set-Content (Join-Path $Out 'test-durations.json')
    Write-TestSummary $total
}

function Invoke-TestWorker {
    # One worker of a parallel Test run: its own stand-ins, its share of the files, a summary for the coordinator.
    $paths = @($TestPath -split ',' | ForEach-Object { $_.Trim() } | Where-Object { $_ })
    $summary = Invoke-PesterRun -Paths $paths -ResultPath (Join-Path $Out "test-results-$Worker.xml")
    $summary | ConvertTo-Json -Depth 5 | Set-Content (Join-Path $Out "test-worker-$Worker.json")
}

function Invoke-WithStandIns([string] $Script, [hashtable] $Parameters = @{}) {
    $services = Start-StandIns
    try {
        $pwsh = @(Get-PwshCommand)
        $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $Script)
        foreach ($key in $Parameters.Keys) {
            $value = $Parameters[$key]
            if ($value -is [bool] -or $value -is [switch]) { if ($value) { $arguments += "-$key" } }   # a switch
            else { $arguments += @("-$key", "$(@($value) -join ',')") }
        }
        & $pwsh[0] @arguments
        if ($LASTEXITCODE -ne 0) { throw "$Script failed with exit code $LASTEXITCODE." }
    }
    finally {
        Write-Step 'Stopping the stand-ins'
        $services.Values | Stop-TestService
    }
}

foreach ($step in $Task) {
    switch ($step) {
        'Bootstrap' { Invoke-Bootstrap }
        'Build' { Invoke-Build }
        'Test' { Invoke-Bootstrap; Invoke-Build; Invoke-Test }
        'RunTests' { Invoke-TestWorker }
        'Demo' { Invoke-Bootstrap; Invoke-Build; Invoke-WithStandIns (Join-Path $Root 'samples/Invoke-Demo.ps1') }
        'Bench' {
            Invoke-Bootstrap; Invoke-Build
            $benchScript = if ($Scenario -eq 'Assets') { 'bench/Invoke-AssetBenchmark.ps1' } else { 'bench/Invoke-Benchmark.ps1' }
            Invoke-WithStandIns (Join-Path $Root $benchScript) $BenchParameters
        }
        'Clean' {
            Remove-Item -Recurse -Force $Out -ErrorAction SilentlyContinue
            Get-ChildItem $Root -Recurse -Directory -Include bin, obj | Remove-Item -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}
