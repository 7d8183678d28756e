# The repository keeps its own promises: references to the design resolve, the design names every ErrorId the code raises.
BeforeDiscovery {
    $script:root = if ($env:ECOM_REPO_ROOT) { $env:ECOM_REPO_ROOT } else { (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path }
}

BeforeAll {
    $script:root = if ($env:ECOM_REPO_ROOT) { $env:ECOM_REPO_ROOT } else { (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path }
    $script:design = Get-Content -Raw (Join-Path $root 'docs/DESIGN.md')
    $script:sections = [regex]::Matches($design, '(?m)^## (\d+)\. ') | ForEach-Object { $_.Groups[1].Value }
    $script:sourceFiles = Get-ChildItem (Join-Path $root 'src'), (Join-Path $root 'tests'), (Join-Path $root 'README.md') -Recurse -File -Include *.cs, *.ps1, *.psm1, *.md |
        Where-Object FullName -NotMatch '[\\/](bin|obj|node_modules)[\\/]'
}

Describe 'docs/DESIGN.md' -Tag Unit {
    It 'exists and has numbered sections' {
        $sections.Count | Should -BeGreaterThan 5
    }

    It 'every "DESIGN §N" reference in the repository names docs/DESIGN.md and a section that exists' {
        $bad = foreach ($file in $sourceFiles) {
            $lineNumber = 0
            foreach ($line in Get-Content $file.FullName) {
                $lineNumber++
                foreach ($m in [regex]::Matches($line, '(\S*)DESIGN(?:\.md)? §(\d+)')) {
                    if ($m.Groups[1].Value -notmatch 'docs/$' -or $m.Groups[2].Value -notin $sections) { "$($file.Name):$lineNumber $($m.Value)" }
                }
            }
        }
        @($bad) | Should -BeNullOrEmpty
    }
}

Describe 'ErrorIds' -Tag Unit {
    BeforeAll {
        # Every literal ErrorId the code constructs: new EcommerceException("Id", …), anywhere under src/.
        $script:constructed = foreach ($file in Get-ChildItem (Join-Path $root 'src') -Recurse -Filter *.cs | Where-Object FullName -NotMatch '[\\/](bin|obj)[\\/]') {
            foreach ($m in [regex]::Matches((Get-Content -Raw $file.FullName), 'new\s+EcommerceException\(\s*"([A-Za-z][A-Za-z0-9.]*)"')) {
                [pscustomobject]@{ Id = $m.Groups[1].Value; File = $file.Name }
            }
        }
        $script:catalogue = $design.Substring($design.IndexOf('## 7. '))
    }

    It 'the code constructs ErrorIds (the scan finds them)' {
        @($constructed).Count | Should -BeGreaterThan 50
    }

    It 'every ErrorId the code raises is in the catalogue, docs/DESIGN.md §7' {
        # A family ("Aws." + code, "StackStepFailed." + cause) is catalogued as `Aws.<code>`.
        $missing = $constructed.Id | Sort-Object -Unique | Where-Object { $catalogue -notmatch ('`' + [regex]::Escape($_) + $(if ($_.EndsWith('.')) { '<' } else { '`' })) }
        @($missing) | Should -BeNullOrEmpty
    }

    It 'each ErrorId is built in one place (an ErrorId raised from several places has a factory in EcommerceErrors)' {
        $twice = $constructed | Where-Object { -not $_.Id.EndsWith('.') } | Group-Object Id | Where-Object Count -GT 1 | ForEach-Object { "$($_.Name): $(($_.Group.File | Sort-Object -Unique) -join ', ')" }
        @($twice) | Should -BeNullOrEmpty
    }
}

Describe 'Shared test helpers' -Tag Unit {
    It 'no helper function is defined in two test files (shared ones live in tests/Pester/*.psm1)' {
        $definitions = foreach ($file in Get-ChildItem (Join-Path $root 'tests/Pester') -Filter *.Tests.ps1) {
            foreach ($m in [regex]::Matches((Get-Content -Raw $file.FullName), '(?m)^\s*function\s+([\w-]+)')) { [pscustomobject]@{ Name = $m.Groups[1].Value; File = $file.Name } }
        }
        @($definitions).Count | Should -BeGreaterThan 10 -Because 'the scan finds the files'' own helpers'
        $copied = $definitions | Group-Object Name | Where-Object { @($_.Group.File | Sort-Object -Unique).Count -gt 1 } | ForEach-Object { "$($_.Name): $($_.Group.File -join ', ')" }
        @($copied) | Should -BeNullOrEmpty
    }
}

Describe 'The test tiers' -Tag Unit {
    It 'every Describe block is tagged Unit (no services) or Integration, so -Tag Unit and -Tag Integration cover the suite' {
        $untagged = foreach ($file in Get-ChildItem (Join-Path $root 'tests/Pester') -Filter *.Tests.ps1) {
            $lineNumber = 0
            foreach ($line in Get-Content $file.FullName) {
                $lineNumber++
                if ($line -match '^\s*Describe\s' -and $line -notmatch '-Tag\s+(Unit|Integration)\b') { "$($file.Name):$lineNumber" }
            }
        }
        @($untagged) | Should -BeNullOrEmpty
    }
}
