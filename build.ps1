<#
.SYNOPSIS
    Builds, tests and demonstrates the EcommerceAws module.
.DESCRIPTION
    Tasks (run in order when several are given):
      Bootstrap  install what is missing, and only that: Pester 5.9.1 (NuGet), moto server (pip),
                 redis-server, awscli, openssl, nodejs and npm (apt-get, as root), and the npm `mongodb`
                 driver the change-stream tests use as a second client (npm ci, pinned by package-lock.json)
      Build      publish a ready-to-import module folder to out/EcommerceAws (version, release notes and about
                 topic stamped in; the build fails on any compiler warning)
      Package    Build, then Publish-PSResource the module as out/package/EcommerceAws.<version>.nupkg (a local
                 file repository: Register-PSResourceRepository -Uri <it>; Install-PSResource EcommerceAws)
      Test       Build, Package, start moto + redis-server + the MongoDB wire test server on free 127.0.0.1 ports,
                 run Pester (NUnit XML to out/test-results.xml), stop the services, print 'N passed, N failed'.
                 The engine's unit tests (tests/Unit, xunit, no services) run first and count in that line.
                 -Tag Unit runs the fast tier only (no services); -Tag Integration the rest
      RunTests   (internal) one worker of a parallel Test run: its own stand-ins, no build
      StandIns   Build, start the stand-ins for your own experiments (the MongoDB server loaded with the sample
                 shop), print the environment to paste (PowerShell and bash), stop them on Ctrl+C
      Demo       Build, start the stand-ins, run samples/Invoke-Demo.ps1 against them, stop them
      Bench      Build, start the stand-ins, run bench/Invoke-Benchmark.ps1 (-Scenario Migration, the default) or
                 bench/Invoke-AssetBenchmark.ps1 (-Scenario Assets: Publish-ProductAsset against aws s3 sync) or
                 bench/Invoke-ImportBenchmark.ps1 (-Scenario Import: -Method Import beside the write path) or
                 bench/Invoke-SyncBenchmark.ps1 (-Scenario Sync: Sync-EcommerceMigration under a steady source load)
      Clean      remove out/ and the bin/obj folders
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 Test
.EXAMPLE
    dotnet pwsh ./build.ps1 Test -TestPath tests/Pester/EcommerceTable.Tests.ps1
.EXAMPLE
    dotnet pwsh ./build.ps1 Test -Tag Unit
.EXAMPLE
    dotnet pwsh ./build.ps1 StandIns
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Bootstrap', 'Build', 'Package', 'Test', 'RunTests', 'StandIns', 'Demo', 'Bench', 'Clean')]
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

    # Which benchmark Bench runs: the migration (default), the product images (Assets), -Method Import beside the write path
    # (Import) or the change-stream sync under a steady source load (Sync).
    [ValidateSet('Migration', 'Assets', 'Import', 'Sync')]
    [string] $Scenario = 'Migration',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Test/Package/StandIns/Demo/Bench: use the module already in out/ instead of building it again.
    [switch] $SkipBuild,

    # Demo: keep the demo's work folder (rejects files, generated images, .env) instead of removing it.
    [switch] $KeepWorkFolder
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
$PackageOut = Join-Path $Out 'package'
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
    Copy-Item (Join-Path $Root 'EcommerceAws.psd1'), (Join-Path $Root 'LICENSE') $ModuleOut
    New-AboutTopic -OutputPath (Join-Path $ModuleOut 'en-US/about_EcommerceAws.help.txt')
    Set-ReleaseNotes -ManifestPath (Join-Path $ModuleOut 'EcommerceAws.psd1')
    Assert-OneVersion -ManifestPath (Join-Path $ModuleOut 'EcommerceAws.psd1') -AssemblyPath (Join-Path $ModuleOut 'EcommerceAws.dll')

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

function Get-ModuleVersion([string] $ManifestPath = (Join-Path $Root 'EcommerceAws.psd1')) {
    (Import-PowerShellDataFile $ManifestPath).ModuleVersion
}

function Get-ReleaseNotes([string] $Version) {
    # This version's section of CHANGELOG.md, or [Unreleased] while the version has none yet (CHANGELOG.md, "Versioning").
    $text = (Get-Content -Raw (Join-Path $Root 'CHANGELOG.md')) -replace "`r`n", "`n"
    $sections = [regex]::Matches($text, '(?ms)^## \[(?<name>[^\]]+)\][^\n]*\n(?<body>.*?)(?=^## |\z)')
    $section = @($sections | Where-Object { $_.Groups['name'].Value -eq $Version }) + @($sections | Where-Object { $_.Groups['name'].Value -eq 'Unreleased' }) |
        Select-Object -First 1
    if (-not $section -or -not $section.Groups['body'].Value.Trim()) { throw "CHANGELOG.md has no section for $Version and no [Unreleased] entries." }
    "[$($section.Groups['name'].Value)]`n$($section.Groups['body'].Value.Trim())`n`nFull history: CHANGELOG.md in the project repository."
}

function New-AboutTopic([string] $OutputPath) {
    # about_EcommerceAws with the ErrorId catalogue filled in from docs/DESIGN.md §7, its one home. A paragraph of §7 is
    # "<label>: `Id`, `Id` (remark) …": the label (up to the first colon outside parentheses and backticks) becomes a
    # heading, the ErrorId-shaped names after it the list; remarks and non-id names (a Redis key, a cmdlet) stay in §7.
    $design = (Get-Content -Raw (Join-Path $Root 'docs/DESIGN.md')) -replace "`r`n", "`n"
    $catalogue = [regex]::Match($design, '(?ms)^## 7\. [^\n]*\n(?<body>.*?)(?=^## |\z)').Groups['body'].Value
    $idShape = '^[A-Z][A-Za-z0-9]*(<\w+>)?(\.(<\w+>|[A-Z][A-Za-z0-9]*(<\w+>)?))?$'
    $lines = foreach ($paragraph in ($catalogue -split "`n\s*`n" | Where-Object { $_.Trim() })) {
        $paragraph = ($paragraph -replace '\s*\n\s*', ' ').Trim()
        $depth = 0; $quoted = $false; $colon = -1
        for ($i = 0; $i -lt $paragraph.Length -and $colon -lt 0; $i++) {
            switch ($paragraph[$i]) {
                '`' { $quoted = -not $quoted }
                '(' { if (-not $quoted) { $depth++ } }
                ')' { if (-not $quoted) { $depth-- } }
                ':' { if (-not $quoted -and $depth -eq 0) { $colon = $i } }
            }
        }
        if ($colon -lt 0) { throw "docs/DESIGN.md §7: no '<label>:' in the paragraph '$paragraph'." }
        $label = $paragraph.Substring(0, $colon).Replace('`', '')
        $ids = @([regex]::Matches($paragraph.Substring($colon), '`([^`]+)`') | ForEach-Object { $_.Groups[1].Value } |
            Where-Object { $_ -cmatch $idShape -and $label -notmatch "(^|\s)$([regex]::Escape($_))(\s|$)" } | Select-Object -Unique)
        if (-not $ids) { throw "docs/DESIGN.md §7: the paragraph '$label' names no ErrorId." }
        foreach ($text in @(@{ Words = $label -split ' '; Indent = '    '; Next = '      ' }, @{ Words = $ids; Indent = '        '; Next = '        ' })) {
            $line = $text.Indent
            foreach ($word in $text.Words) {
                if ($line.Trim() -and $line.Length + $word.Length + 1 -gt 78) { $line.TrimEnd(); $line = $text.Next }
                $line += if ($line.Trim()) { " $word" } else { $word }
            }
            $line.TrimEnd()
        }
        ''
    }
    if (-not $lines) { throw 'docs/DESIGN.md §7 lists no ErrorIds.' }
    $template = Get-Content -Raw (Join-Path $Root 'src/Cmdlets/en-US/about_EcommerceAws.help.txt')
    $text = $template.Replace('{{ErrorIds}}', (($lines -join "`n").TrimEnd()))
    [System.IO.File]::WriteAllText($OutputPath, $text, [System.Text.UTF8Encoding]::new($false))
}

function Set-ReleaseNotes([string] $ManifestPath) {
    # The published manifest carries this release's CHANGELOG.md section; the source manifest only points at it.
    $notes = (Get-ReleaseNotes (Get-ModuleVersion $ManifestPath)) -replace "'", "''"
    $text = Get-Content -Raw $ManifestPath
    $pattern = [regex]"ReleaseNotes\s*=\s*'(?:[^']|'')*'"
    if (-not $pattern.IsMatch($text)) { throw "$ManifestPath has no ReleaseNotes = '...' entry to stamp." }
    $text = $pattern.Replace($text, { param($m) "ReleaseNotes = '$notes'" }, 1)
    [System.IO.File]::WriteAllText($ManifestPath, $text, [System.Text.UTF8Encoding]::new($false))
}

function Assert-OneVersion([string] $ManifestPath, [string] $AssemblyPath) {
    # The version lives in EcommerceAws.psd1 only; Directory.Build.props reads it for every assembly. Checked, not trusted.
    $moduleVersion = [version](Get-ModuleVersion $ManifestPath)
    $fileVersion = [version][System.Diagnostics.FileVersionInfo]::GetVersionInfo($AssemblyPath).FileVersion
    if ($fileVersion.Major -ne $moduleVersion.Major -or $fileVersion.Minor -ne $moduleVersion.Minor -or $fileVersion.Build -ne $moduleVersion.Build) {
        throw "Version mismatch: EcommerceAws.psd1 says $moduleVersion, $(Split-Path -Leaf $AssemblyPath) was built as $fileVersion. Rebuild (./build.ps1 Clean, Build)."
    }
}

function Invoke-WithPrivateHome([string] $HomePath, [scriptblock] $ScriptBlock) {
    # PSResourceGet keeps its repository list and CurrentUser modules under HOME: a private HOME leaves the user's alone.
    # .NET answers '' for a per-user folder that does not exist, and NuGet/PSResourceGet would then write relative to the
    # current directory: both folders exist first.
    $saved = @{ HOME = $env:HOME; XDG_DATA_HOME = $env:XDG_DATA_HOME; XDG_CONFIG_HOME = $env:XDG_CONFIG_HOME; PSModulePath = $env:PSModulePath }
    $null = New-Item -ItemType Directory -Force -Path (Join-Path $HomePath '.local/share'), (Join-Path $HomePath '.config')
    $env:HOME = $HomePath
    $env:XDG_DATA_HOME = Join-Path $HomePath '.local/share'
    $env:XDG_CONFIG_HOME = Join-Path $HomePath '.config'
    $env:PSModulePath = $null
    try { & $ScriptBlock }
    finally { foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) } }
}

function Invoke-Package {
    Write-Step "Package -> $PackageOut"
    Remove-Item -Recurse -Force $PackageOut -ErrorAction SilentlyContinue
    $null = New-Item -ItemType Directory -Force -Path $PackageOut
    $pwsh = @(Get-PwshCommand)
    $script = @'
param($ModulePath, $Repository)
$ErrorActionPreference = 'Stop'
Import-Module Microsoft.PowerShell.PSResourceGet
$manifest = Test-ModuleManifest (Join-Path $ModulePath 'EcommerceAws.psd1') -ErrorAction Stop -WarningVariable warnings
if ($warnings) { throw "Test-ModuleManifest: $($warnings -join '; ')" }
Register-PSResourceRepository -Name EcommerceAwsLocal -Uri $Repository -Trusted -Force
Publish-PSResource -Path $ModulePath -Repository EcommerceAwsLocal
'@
    $scriptPath = Join-Path $Out 'publish-package.ps1'
    Set-Content -Path $scriptPath -Value $script
    Invoke-WithPrivateHome (Join-Path $Out 'package-home') {
        & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $scriptPath -ModulePath $ModuleOut -Repository $PackageOut
        if ($LASTEXITCODE -ne 0) { throw "Publish-PSResource failed with exit code $LASTEXITCODE." }
    }
    Remove-Item $scriptPath
    $package = Get-ChildItem $PackageOut -Filter 'EcommerceAws.*.nupkg'
    Write-Host "    $($package.FullName)"
    Write-Host "    Install: Register-PSResourceRepository -Name EcommerceAwsLocal -Uri $PackageOut -Trusted; Install-PSResource EcommerceAws -Repository EcommerceAwsLocal"
}

function Start-StandIns {
    param(
        # For your own experiments: the MongoDB server asks for a login (shop / stand-in) and holds the sample shop.
        [switch] $WithSampleShop
    )
    Write-Step 'Starting moto server, redis-server and the MongoDB wire test server on 127.0.0.1'
    $services = [ordered]@{}
    try {
        $services.Moto = Start-MotoServer -LogDirectory $LogDirectory
        $services.Redis = Start-RedisServer -LogDirectory $LogDirectory
        $mongoWireDll = Join-Path $FixturesOut 'MongoWire/MongoWire.dll'
        if ($WithSampleShop -and -not (Test-Path $mongoWireDll)) { throw "$mongoWireDll is missing: run ./build.ps1 Build." }
        if (Test-Path $mongoWireDll) {
            $login = if ($WithSampleShop) { @{ User = 'shop'; Password = 'stand-in' } } else { @{} }
            $services.Mongo = Start-MongoWireServer -LogDirectory $LogDirectory -MongoWireDll $mongoWireDll @login
            $env:ECOM_MONGOWIRE_DLL = $mongoWireDll
            $env:ECOM_TEST_MONGO_URI = $services.Mongo.Url
            if ($WithSampleShop) {
                # The login lives in admin: a URI naming another database needs authSource=admin.
                $services.Mongo | Add-Member -NotePropertyName ShopUri -NotePropertyValue "$($services.Mongo.Url)shop?authSource=admin"
                foreach ($collection in 'categories', 'products', 'users', 'orders') {
                    Invoke-Native dotnet @($mongoWireDll, 'client', '--uri', $services.Mongo.ShopUri, 'insert', '--db', 'shop',
                        '--collection', $collection, '--file', (Join-Path $Root "samples/shop/$collection.json")) | Out-Null
                }
            }
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
    $env:ECOM_PACKAGE_PATH = $PackageOut
    # moto answers 500 to every ElastiCache Serverless call, for good, and the transport retries 5xx with a 1 s backoff
    # base (up to ~15 s a call): shorten the base for the stand-ins (test-only knob; tests of the defaults unset it).
    $env:ECOM_AWS_RETRY_BASE_MS = '50'
}

function Invoke-StandIns {
    # Stand-ins for your own experiments: the exact environment to paste, then wait until Ctrl+C.
    $services = Start-StandIns -WithSampleShop
    try {
        $variables = [ordered]@{
            AWS_ENDPOINT_URL          = $services.Moto.Url
            AWS_ACCESS_KEY_ID         = 'testing'
            AWS_SECRET_ACCESS_KEY     = 'testing'   # moto's dummy keys, accepted by nothing else
            AWS_REGION                = 'us-east-1'
            AWS_DEFAULT_REGION        = 'us-east-1'   # boto3 and AWS CLI v1 read only this one (botocore configprovider); CLI v2 reads both
            AWS_EC2_METADATA_DISABLED = 'true'
            MONGODB_URI               = $services.Mongo.ShopUri
            REDIS_URL                 = $services.Redis.Url
            ECOM_MONGOWIRE_DLL        = $env:ECOM_MONGOWIRE_DLL
        }
        $lines = [System.Collections.Generic.List[string]]::new()
        $lines.Add('')
        $lines.Add("Stand-ins running: moto $($services.Moto.Url), redis-server $($services.Redis.Url), MongoDB wire test server on port $($services.Mongo.Port) (database 'shop' = the sample shop of samples/README.md; login shop / stand-in).")
        $lines.Add('')
        $lines.Add('# PowerShell: paste into another pwsh session')
        foreach ($name in $variables.Keys) { $lines.Add("`$env:$name = '$($variables[$name])'") }
        $lines.Add('Remove-Item Env:AWS_PROFILE, Env:AWS_SESSION_TOKEN -ErrorAction SilentlyContinue')
        $lines.Add("Import-Module '$ModuleOut'")
        $lines.Add('')
        $lines.Add('# bash: paste into a shell')
        foreach ($name in $variables.Keys) { $lines.Add("export $name='$($variables[$name])'") }
        $lines.Add('unset AWS_PROFILE AWS_SESSION_TOKEN')
        $lines.Add('')
        $lines.Add('# Then, for example (PowerShell):')
        $lines.Add("#   `$ErrorActionPreference = 'Stop'")
        $lines.Add('#   New-EcommerceTable -TableName ecommerce-cameroon; Get-EcommerceTable')
        $lines.Add('#   Invoke-EcommerceMigration -TableName ecommerce-cameroon -MongoUri $env:MONGODB_URI')
        $lines.Add('#   dotnet $env:ECOM_MONGOWIRE_DLL client --uri $env:MONGODB_URI count --db shop --collection products')
        $lines.Add('#   (the test server''s serve/client usage: tests/Fixtures/MongoWire/README.md)')
        $lines.Add('')
        $lines.Add('Press Ctrl+C to stop the stand-ins (their data is lost).')
        $lines | ForEach-Object { Write-Host $_ }
        while ($true) {
            foreach ($service in $services.Values) {
                if ($service.Process.HasExited) { throw "$($service.Name) stopped unexpectedly (exit code $($service.Process.ExitCode)); see $($service.Log).err" }
            }
            Start-Sleep -Milliseconds 500
        }
    }
    finally {
        Write-Step 'Stopping the stand-ins'
        $services.Values | Stop-TestService
    }
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
            # A switch goes alone (a separate 'True' would bind as a positional argument); an array as a,b,c.
            if ($value -is [bool] -or $value -is [switch]) { if ($value) { $arguments += "-$key" } }
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

function Invoke-BuildUnlessSkipped { if (-not $SkipBuild) { Invoke-Build } }

foreach ($step in $Task) {
    switch ($step) {
        'Bootstrap' { Invoke-Bootstrap }
        'Build' { Invoke-Build }
        'Package' { Invoke-BuildUnlessSkipped; Invoke-Package }
        'Test' { Invoke-Bootstrap; Invoke-BuildUnlessSkipped; Invoke-Package; Invoke-Test }
        'RunTests' { Invoke-TestWorker }
        'StandIns' { Invoke-Bootstrap; Invoke-BuildUnlessSkipped; Invoke-StandIns }
        'Demo' {
            Invoke-Bootstrap; Invoke-BuildUnlessSkipped
            Invoke-WithStandIns (Join-Path $Root 'samples/Invoke-Demo.ps1') $(if ($KeepWorkFolder) { @{ KeepWorkFolder = $true } } else { @{} })
        }
        'Bench' {
            Invoke-Bootstrap; Invoke-BuildUnlessSkipped
            $benchScript = switch ($Scenario) { 'Assets' { 'bench/Invoke-AssetBenchmark.ps1' } 'Import' { 'bench/Invoke-ImportBenchmark.ps1' } 'Sync' { 'bench/Invoke-SyncBenchmark.ps1' } default { 'bench/Invoke-Benchmark.ps1' } }
            Invoke-WithStandIns (Join-Path $Root $benchScript) $BenchParameters
        }
        'Clean' {
            Remove-Item -Recurse -Force $Out -ErrorAction SilentlyContinue
            Get-ChildItem $Root -Recurse -Directory -Include bin, obj | Remove-Item -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}
