# The build keeps its promises: a new compiler warning fails it in every project of the repository, the version lives in
# one place (EcommerceAws.psd1) and every built assembly agrees, and the published manifest carries CHANGELOG.md's notes.
BeforeAll {
    $script:root = if ($env:ECOM_REPO_ROOT) { $env:ECOM_REPO_ROOT } else { (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path }
    $script:modulePath = if ($env:ECOM_MODULE_PATH) { $env:ECOM_MODULE_PATH } else { Join-Path $root 'out/EcommerceAws' }
    $script:sourceManifest = Import-PowerShellDataFile (Join-Path $root 'EcommerceAws.psd1')
    $script:builtManifest = Import-PowerShellDataFile (Join-Path $modulePath 'EcommerceAws.psd1')
    $script:changelog = (Get-Content -Raw (Join-Path $root 'CHANGELOG.md')) -replace "`r`n", "`n"
}

Describe 'Warnings are errors' -Tag Integration {
    It 'a new compiler warning fails the build of a project anywhere in the repository' {
        # Directory.Build.props at the root applies to every project below it: a throwaway project under out/ proves it.
        $probe = Join-Path $root "out/warning-probe-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $null = New-Item -ItemType Directory -Force -Path $probe
        try {
            Set-Content (Join-Path $probe 'Probe.csproj') '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>'
            Set-Content (Join-Path $probe 'Probe.cs') 'public static class Probe { public static int Answer() { int unused; return 42; } }'
            $output = & dotnet build (Join-Path $probe 'Probe.csproj') --nologo -v q 2>&1
            $LASTEXITCODE | Should -Not -Be 0 -Because ($output -join "`n")
            ($output -join "`n") | Should -Match 'error CS0168'
        }
        finally { Remove-Item -Recurse -Force $probe -ErrorAction SilentlyContinue }
    }

    It 'no project turns warnings back into mere warnings' {
        $projects = Get-ChildItem (Join-Path $root 'src'), (Join-Path $root 'tests'), (Join-Path $root 'bench') -Recurse -Filter '*.csproj' |
            Where-Object FullName -NotMatch '[\\/](bin|obj)[\\/]'
        $projects.Count | Should -BeGreaterOrEqual 6
        foreach ($project in $projects) {
            Get-Content -Raw $project.FullName | Should -Not -Match 'TreatWarningsAsErrors>\s*false|WarningsNotAsErrors|<NoWarn>' -Because $project.Name
        }
    }
}

Describe 'One version' -Tag Unit {
    It 'lives in EcommerceAws.psd1 only: Directory.Build.props reads it, names no version of its own' {
        $props = Get-Content -Raw (Join-Path $root 'Directory.Build.props')
        $props | Should -Match 'EcommerceAws\.psd1'
        $props | Should -Not -Match '<Version>\s*\d'
    }

    It 'every built assembly carries the manifest''s version' {
        $expected = [version]$sourceManifest.ModuleVersion
        $builtManifest.ModuleVersion | Should -Be $sourceManifest.ModuleVersion
        foreach ($dll in 'EcommerceAws.dll', 'EcommerceAws.Shared.dll', 'Dependencies/EcommerceAws.Engine.dll') {
            $actual = [version][System.Diagnostics.FileVersionInfo]::GetVersionInfo((Join-Path $modulePath $dll)).FileVersion
            "$($actual.Major).$($actual.Minor).$($actual.Build)" | Should -Be "$expected" -Because $dll
        }
    }

    It 'is a semantic version with a CHANGELOG.md section ([x.y.z] or [Unreleased]) and the policy written down' {
        $sourceManifest.ModuleVersion | Should -Match '^\d+\.\d+\.\d+$'
        $changelog | Should -Match "(?m)^## \[(Unreleased|$([regex]::Escape($sourceManifest.ModuleVersion)))\]"
        $changelog | Should -Match '(?m)^## Versioning'
        $changelog | Should -Match 'MAJOR'
    }

    It 'the published manifest''s ReleaseNotes are that section of CHANGELOG.md' {
        $notes = $builtManifest.PrivateData.PSData.ReleaseNotes
        $section = [regex]::Match($changelog, "(?ms)^## \[(?<name>$([regex]::Escape($sourceManifest.ModuleVersion))|Unreleased)\][^\n]*\n(?<body>.*?)(?=^## |\z)")
        $section.Success | Should -BeTrue
        $notes.StartsWith("[$($section.Groups['name'].Value)]`n") | Should -BeTrue -Because $notes
        $firstEntry = ($section.Groups['body'].Value -split "`n" | Where-Object { $_ -like '- *' } | Select-Object -First 1).TrimEnd()
        $notes | Should -Match ([regex]::Escape($firstEntry))
        $sourceManifest.PrivateData.PSData.ReleaseNotes | Should -Not -Be $notes -Because 'the source manifest only points at CHANGELOG.md'
    }
}

Describe 'CI runs what the README tells a newcomer to run' -Tag Unit {
    It '.ci/run is the README''s test command: dotnet tool restore, then build.ps1 Test with nothing narrowed' {
        $readme = (Get-Content -Raw (Join-Path $root 'README.md')) -replace "`r`n", "`n"
        $commands = [regex]::Match($readme, '(?ms)^## The two commands\n.*?^```bash\n(?<code>.*?)^```').Groups['code'].Value
        $testLine = @($commands -split "`n" | Where-Object { $_ -match 'build\.ps1 Test' })
        $testLine.Count | Should -Be 1
        $readmeSteps = @(($testLine[0] -replace '\s*#.*$', '') -split '\s*&&\s*' | ForEach-Object { $_.Trim() })
        $readmeSteps | Should -Be @('dotnet tool restore', 'dotnet pwsh ./build.ps1 Test')

        $raw = @(Get-Content (Join-Path $root '.ci/run'))
        $raw[0] | Should -Match '^#!.*bash' -Because 'an executable bash script'
        $ci = @($raw | ForEach-Object { ($_ -replace '\s*#.*$', '').Trim() } | Where-Object { $_ })
        $ci | Should -Contain 'set -euo pipefail' -Because 'a failed step fails CI'
        $steps = @($ci | Where-Object { $_ -match '^dotnet ' })
        $steps.Count | Should -Be 2
        $steps[0] | Should -Be $readmeSteps[0]
        # The same task with the same scope: only pwsh's own switches may differ (-NoProfile, -NonInteractive).
        ($steps[1] -replace '\s+-(NoProfile|NonInteractive)\b', '') | Should -Be $readmeSteps[1]
    }
}
