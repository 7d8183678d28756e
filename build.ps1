<#
.SYNOPSIS
    Builds, tests and demonstrates the EcommerceAws module.
.DESCRIPTION
    Tasks (run in order when several are given):
      Bootstrap  install what is missing, and only that: Pester 5.9.1 (NuGet), moto server (pip),
                 redis-server, awscli and openssl (apt-get, as root)
      Build      publish a ready-to-import module folder to out/EcommerceAws
      Test       Build, start moto + redis-server + the MongoDB wire test server on free 127.0.0.1 ports,
                 run Pester (NUnit XML to out/test-results.xml), stop the services, print 'N passed, N failed'
      Demo       Build, start the stand-ins, run samples/Invoke-Demo.ps1 against them, stop them
      Bench      Build, start the stand-ins, run bench/Invoke-Benchmark.ps1 (-Scenario Migration, the default) or
                 bench/Invoke-AssetBenchmark.ps1 (-Scenario Assets: Publish-ProductAsset against aws s3 sync)
      Clean      remove out/ and the bin/obj folders
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 Test
.EXAMPLE
    dotnet pwsh ./build.ps1 Test -TestPath tests/Pester/EcommerceTable.Tests.ps1
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Bootstrap', 'Build', 'Test', 'Demo', 'Bench', 'Clean')]
    [string[]] $Task = @('Build'),

    # Pester paths to run (default: tests/Pester).
    [string[]] $TestPath,

    # Only tests whose full name matches one of these wildcards.
    [string[]] $TestName,

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
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'EcommerceAws'
$FixturesOut = Join-Path $Out 'fixtures'
$LogDirectory = Join-Path $Out 'logs'
$PesterVersion = '5.9.1'
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
    if ($apt) {
        if (-not (Test-IsRoot)) {
            throw "Missing $($apt -join ', '). Install them with: sudo apt-get install -y $($apt -join ' ')"
        }
        Write-Step "Installing $($apt -join ', ') (apt-get)"
        $env:DEBIAN_FRONTEND = 'noninteractive'
        Invoke-Native apt-get @('update', '-qq')
        Invoke-Native apt-get (@('install', '-y', '-qq', '--no-install-recommends') + $apt)
    }
}

function Invoke-Build {
    Write-Step "Build ($Configuration) -> $ModuleOut"
    $staging = Join-Path $Out 'staging'
    Remove-Item -Recurse -Force $ModuleOut, $staging -ErrorAction SilentlyContinue
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/Engine/EcommerceAws.Engine.csproj'), '-c', $Configuration,
        '-o', $staging, '--nologo', '-v', 'q', '-p:GenerateDocumentationFile=true')

    $null = New-Item -ItemType Directory -Force -Path $ModuleOut, (Join-Path $ModuleOut 'Dependencies'), (Join-Path $ModuleOut 'en-US')
    # EcommerceAws.dll (cmdlets + output types) stays in the default load context; everything else is isolated.
    Copy-Item (Join-Path $Root 'src/Cmdlets/bin' $Configuration 'net8.0/EcommerceAws.dll') $ModuleOut
    Get-ChildItem $staging -File |
        Where-Object { $_.Name -notin 'EcommerceAws.dll', 'EcommerceAws.xml', 'EcommerceAws.pdb', 'System.Management.Automation.dll' -and $_.Extension -in '.dll', '.so' } |
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
    $xmlDoc = Join-Path $Root 'src/Cmdlets/bin' $Configuration 'net8.0/EcommerceAws.xml'
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
    # Local stand-ins only: dummy credentials, an isolated AWS config, no instance metadata lookups.
    $env:AWS_ENDPOINT_URL = $services.Moto.Url
    $env:AWS_ACCESS_KEY_ID = 'testing'
    $env:AWS_SECRET_ACCESS_KEY = 'testing'
    Remove-Item Env:AWS_SESSION_TOKEN, Env:AWS_PROFILE -ErrorAction SilentlyContinue
    $env:AWS_REGION = 'us-east-1'
    $env:AWS_DEFAULT_REGION = 'us-east-1'
    $env:AWS_EC2_METADATA_DISABLED = 'true'
    $env:AWS_CONFIG_FILE = Join-Path $Out 'aws-config-none'
    $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $Out 'aws-credentials-none'
    $env:ECOM_TEST_REDIS_URL = $services.Redis.Url
    $env:ECOM_REPO_ROOT = $Root
    $env:ECOM_MODULE_PATH = $ModuleOut
    $services
}

function Invoke-Test {
    $pesterPath = Get-PesterModulePath
    if (-not (Test-Path $pesterPath)) { throw "Pester $PesterVersion is missing: run ./build.ps1 Bootstrap." }
    Import-Module $pesterPath -RequiredVersion $PesterVersion -Force
    $services = Start-StandIns
    try {
        $config = New-PesterConfiguration
        # 'a,b' arrives as one string through 'pwsh -File': split it.
        $config.Run.Path = if ($TestPath) { @($TestPath -split ',' | ForEach-Object { Join-Path $Root $_.Trim() }) } else { Join-Path $Root 'tests/Pester' }
        $config.Run.PassThru = $true
        $config.Output.Verbosity = 'Detailed'
        $config.TestResult.Enabled = $true
        $config.TestResult.OutputFormat = 'NUnitXml'
        $config.TestResult.OutputPath = Join-Path $Out 'test-results.xml'
        if ($TestName) { $config.Filter.FullName = @($TestName -split ',') }
        $result = Invoke-Pester -Configuration $config
    }
    finally {
        Write-Step 'Stopping the stand-ins'
        $services.Values | Stop-TestService
    }
    if (-not $result) { throw 'Pester did not return a result.' }
    $failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    # The plain closing line CI reads; zero tests run is a failure too.
    Write-Host ''
    Write-Output "$($result.PassedCount) passed, $failed failed, $($result.SkippedCount) skipped"
    if ($failed -gt 0) { throw "$failed test(s) or test blocks failed." }
    if ($result.PassedCount -eq 0) { throw 'No test ran.' }
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
