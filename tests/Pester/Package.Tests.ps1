# The module installs as users install modules: build.ps1 Package publishes a .nupkg to a local PSResourceGet repository;
# Install-PSResource puts it in a clean module path; a fresh pwsh imports it BY NAME and it works against moto.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:root = if ($env:ECOM_REPO_ROOT) { $env:ECOM_REPO_ROOT } else { (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path }
    $script:repository = if ($env:ECOM_PACKAGE_PATH) { $env:ECOM_PACKAGE_PATH } else { Join-Path $root 'out/package' }
    $script:manifest = Import-PowerShellDataFile (Join-Path $env:ECOM_MODULE_PATH 'EcommerceAws.psd1')
    $script:version = $manifest.ModuleVersion
    $script:nupkg = Join-Path $repository "EcommerceAws.$version.nupkg"
    Add-Type -AssemblyName System.IO.Compression.FileSystem

    function Invoke-InPrivateHome {
        # A fresh pwsh whose HOME (PSResourceGet's repository list, the CurrentUser module path) is a new empty folder and
        # whose PSModulePath is pwsh's default for that HOME: nothing of out/ or of the user's modules is visible.
        param([string] $HomePath, [string] $Script, [hashtable] $Environment = @{})
        # .NET answers '' for a per-user folder that does not exist (NuGet would then write to the current directory).
        $saved = @{ HOME = $env:HOME; XDG_DATA_HOME = $env:XDG_DATA_HOME; XDG_CONFIG_HOME = $env:XDG_CONFIG_HOME; PSModulePath = $env:PSModulePath }
        foreach ($name in $Environment.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
        $null = New-Item -ItemType Directory -Force -Path (Join-Path $HomePath '.local/share'), (Join-Path $HomePath '.config')
        try {
            $env:HOME = $HomePath
            $env:XDG_DATA_HOME = Join-Path $HomePath '.local/share'
            $env:XDG_CONFIG_HOME = Join-Path $HomePath '.config'
            $env:PSModulePath = $null
            foreach ($name in $Environment.Keys) { [Environment]::SetEnvironmentVariable($name, $Environment[$name]) }
            Invoke-FreshPwsh -Script $Script
        }
        finally { foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) } }
    }
}

Describe 'build.ps1 Package' -Tag Integration {
    It 'produced EcommerceAws.<version>.nupkg in the local repository folder' {
        $nupkg | Should -Exist -Because 'build.ps1 Test runs Package before the tests (or run ./build.ps1 Package)'
    }

    It 'carries the whole module: manifest, both default-context dlls, Dependencies/, en-US help, about topic, format file, LICENSE' {
        $zip = [System.IO.Compression.ZipFile]::OpenRead($nupkg)
        try { $entries = @($zip.Entries.FullName) } finally { $zip.Dispose() }
        foreach ($file in 'EcommerceAws.psd1', 'EcommerceAws.dll', 'EcommerceAws.Shared.dll', 'EcommerceAws.Format.ps1xml', 'LICENSE',
            'en-US/EcommerceAws.dll-Help.xml', 'en-US/about_EcommerceAws.help.txt',
            'Dependencies/EcommerceAws.Engine.dll', 'Dependencies/AWSSDK.Core.dll', 'Dependencies/AWSSDK.DynamoDBv2.dll',
            'Dependencies/MongoDB.Driver.dll', 'Dependencies/StackExchange.Redis.dll') {
            $entries | Should -Contain $file
        }
        # the engine and third-party dlls only in Dependencies/, never next to the cmdlets
        $entries | Where-Object { $_ -match '^(AWSSDK|MongoDB|StackExchange|EcommerceAws\.Engine)[^/]*\.dll$' } | Should -BeNullOrEmpty
    }

    It 'has the gallery metadata: project and license URIs, tags, release notes from CHANGELOG.md' {
        $zip = [System.IO.Compression.ZipFile]::OpenRead($nupkg)
        try {
            $reader = [System.IO.StreamReader]::new(($zip.Entries | Where-Object FullName -eq 'EcommerceAws.nuspec').Open())
            $nuspec = [xml]$reader.ReadToEnd()
            $reader.Dispose()
        }
        finally { $zip.Dispose() }
        $metadata = $nuspec.package.metadata
        $metadata.version | Should -Be $version
        $metadata.projectUrl | Should -Be $manifest.PrivateData.PSData.ProjectUri
        $metadata.licenseUrl | Should -Be $manifest.PrivateData.PSData.LicenseUri
        $metadata.tags | Should -Match 'DynamoDB'
        $metadata.releaseNotes | Should -Match '^\[(Unreleased|\d+\.\d+\.\d+)\]'
        $metadata.releaseNotes | Should -Match 'Install-PSResource'
    }

    It 'passes Test-ModuleManifest with no error and no warning' {
        $result = Test-ModuleManifest (Join-Path $env:ECOM_MODULE_PATH 'EcommerceAws.psd1') -ErrorVariable problems -WarningVariable warnings -ErrorAction SilentlyContinue
        @($problems) | Should -BeNullOrEmpty
        @($warnings) | Should -BeNullOrEmpty
        $result.Version | Should -Be ([version]$version)
        $result.ProjectUri | Should -Not -BeNullOrEmpty
        $result.LicenseUri | Should -Not -BeNullOrEmpty
    }
}

Describe 'Install-PSResource EcommerceAws, then Import-Module EcommerceAws in a fresh pwsh' -Tag Integration {
    BeforeAll {
        $script:homePath = Join-Path ([System.IO.Path]::GetTempPath()) "ecom-install-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $script:table = New-TestName 'pkg'
        # No network: every HTTP(S) request that is not for the stand-ins on 127.0.0.1 goes to a proxy that records it and
        # refuses it (tests/Fixtures/connect_recorder.py). Install and import must need none: a local file repository only.
        Import-Module (Join-Path $PSScriptRoot '../TestServices.psm1') -Force   # Get-FreePort, Wait-TcpPort
        $proxyPort = Get-FreePort
        $script:connects = Join-Path $TestDrive 'connects.log'
        $null = New-Item -ItemType File -Path $connects
        $script:proxy = Start-Process -FilePath python3 -ArgumentList @((Join-Path $PSScriptRoot '../Fixtures/connect_recorder.py'), "$proxyPort", $connects) -PassThru `
            -RedirectStandardOutput (Join-Path $TestDrive 'proxy.out') -RedirectStandardError (Join-Path $TestDrive 'proxy.err')
        Wait-TcpPort -Port $proxyPort -Process $proxy
        $offline = @{
            HTTPS_PROXY = "http://127.0.0.1:$proxyPort"; HTTP_PROXY = "http://127.0.0.1:$proxyPort"; NO_PROXY = '127.0.0.1,localhost'
            POWERSHELL_TELEMETRY_OPTOUT = '1'; POWERSHELL_UPDATECHECK = 'Off'   # pwsh's own calls home, read at start
        }
        $script:run = Invoke-InPrivateHome -HomePath $homePath -Environment $offline -Script @"
`$ErrorActionPreference = 'Stop'
if (Get-Module -ListAvailable EcommerceAws) { throw 'EcommerceAws is already on PSModulePath before the install.' }
Register-PSResourceRepository -Name EcommerceAwsLocal -Uri '$repository' -Trusted
Install-PSResource -Name EcommerceAws -Repository EcommerceAwsLocal -Scope CurrentUser -Quiet
Import-Module EcommerceAws
`$module = Get-Module EcommerceAws
`$created = New-EcommerceTable -TableName '$table' -Confirm:`$false
`$listed = Get-EcommerceTable -TableName '$table'
`$assemblies = [AppDomain]::CurrentDomain.GetAssemblies()
function Find([string] `$name) { `$assemblies | Where-Object { `$_.GetName().Name -eq `$name } | Select-Object -First 1 }
[pscustomobject]@{
    ModuleBase     = `$module.ModuleBase
    Version        = "`$(`$module.Version)"
    Created        = `$created.TableName
    Listed         = `$listed.TableName
    View           = (`$listed | Format-Table | Out-String -Width 120)
    Synopsis       = (Get-Help New-EcommerceTable).Synopsis
    About          = (Get-Help about_EcommerceAws | Out-String)
    CmdletPath     = (Find 'EcommerceAws').Location
    SharedPath     = (Find 'EcommerceAws.Shared').Location
    SharedContext  = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext((Find 'EcommerceAws.Shared')).Name
    EnginePath     = (Find 'EcommerceAws.Engine').Location
    EngineContext  = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext((Find 'EcommerceAws.Engine')).Name
    AwsSdkPath     = (Find 'AWSSDK.Core').Location
    AwsSdkContext  = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext((Find 'AWSSDK.Core')).Name
} | ConvertTo-Json -Compress
"@
        $script:installRoot = Join-Path $homePath ".local/share/powershell/Modules/EcommerceAws/$version"
        $script:result = $run.Output | Where-Object { $_ -like '{*' } | Select-Object -Last 1 | ConvertFrom-Json
    }

    AfterAll {
        if ($proxy -and -not $proxy.HasExited) { Stop-Process -Id $proxy.Id -ErrorAction SilentlyContinue }
        Remove-Item -Recurse -Force $homePath -ErrorAction SilentlyContinue
        if (Test-AwsCli dynamodb describe-table --table-name $table) {
            Import-EcommerceAws
            Remove-EcommerceTable -TableName $table -Force -Confirm:$false -ErrorAction SilentlyContinue
        }
    }

    It 'installs, imports by name and runs New-/Get-EcommerceTable against moto' {
        $run.ExitCode | Should -Be 0 -Because (($run.Output -replace '\x1b\[[0-9;]*[A-Za-z]', '') -join "`n")
        $result.Created | Should -Be $table
        $result.Listed | Should -Be $table
        (Invoke-AwsCli dynamodb describe-table --table-name $table).Table.TableName | Should -Be $table
    }

    It 'needed no network: nothing but the stand-ins on 127.0.0.1 was asked (the recording proxy saw no request)' {
        @(Get-Content $connects) | Should -BeNullOrEmpty
        $run.ExitCode | Should -Be 0
    }

    It 'loaded the module from the install folder, not from out/' {
        $result.ModuleBase | Should -Be $installRoot
        $result.Version | Should -Be $version
        $result.CmdletPath | Should -Be (Join-Path $installRoot 'EcommerceAws.dll')
        $result.SharedPath | Should -Be (Join-Path $installRoot 'EcommerceAws.Shared.dll')
    }

    It 'loads the engine and AWSSDK from the installed Dependencies/ in the module''s own load context' {
        $result.EnginePath | Should -Be (Join-Path $installRoot 'Dependencies/EcommerceAws.Engine.dll')
        $result.EngineContext | Should -Be 'EcommerceAws'
        $result.AwsSdkPath | Should -Be (Join-Path $installRoot 'Dependencies/AWSSDK.Core.dll')
        $result.AwsSdkContext | Should -Be 'EcommerceAws'
        $result.SharedContext | Should -Be 'Default'
    }

    It 'brings its help, about topic and format views' {
        $result.Synopsis | Should -Match 'single DynamoDB table'
        $result.About | Should -Match 'SCRIPTS STOP ON FAILURE'
        $result.View | Should -Match 'TableName'
        $result.View | Should -Not -Match 'EcommerceAws\.Output\.'
    }
}
