# The runbook as a user meets it: Get-Help about_EcommerceAws, examples that stop on the first failure (the README's own
# step run as a .ps1 exits non-zero and does not run the next step), and the Demo that says what to try next and tidies up.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../TestServices.psm1') -Force   # Get-FreePort
    Import-EcommerceAws
    $script:root = if ($env:ECOM_REPO_ROOT) { $env:ECOM_REPO_ROOT } else { (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path }
    $script:readme = (Get-Content -Raw (Join-Path $root 'README.md')) -replace "`r`n", "`n"
    $script:aboutPath = Join-Path $env:ECOM_MODULE_PATH 'en-US/about_EcommerceAws.help.txt'
    $script:stopLine = '$ErrorActionPreference = ''Stop'''

    function Get-ReadmeRunbookBlocks {
        # Every ```powershell block of the README's "Runbook walkthrough" section, with the heading above it.
        $section = [regex]::Match($readme, '(?ms)^## Runbook walkthrough\n(?<body>.*?)(?=^## )').Groups['body'].Value
        foreach ($m in [regex]::Matches($section, '(?ms)^### (?<title>[^\n]+)\n(?:(?!^### ).)*?^```powershell\n(?<code>.*?)^```')) {
            [pscustomobject]@{ Title = $m.Groups['title'].Value; Code = $m.Groups['code'].Value }
        }
    }

    function Invoke-RunbookScript([string] $Code, [hashtable] $Environment) {
        # The code as a .ps1 run by 'pwsh -File' in an empty folder, with the module imported first.
        $folder = Join-Path ([System.IO.Path]::GetTempPath()) "ecom-runbook-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $null = New-Item -ItemType Directory -Path $folder
        $saved = @{}
        foreach ($name in $Environment.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $Environment[$name]) }
        try {
            $run = Invoke-FreshPwsh -Script "Set-Location '$folder'`nImport-Module '$env:ECOM_MODULE_PATH'`n$Code"
            [pscustomobject]@{ ExitCode = $run.ExitCode; Output = @($run.Output -replace '\x1b\[[0-9;]*[A-Za-z]', ''); Folder = $folder; Files = @(Get-ChildItem -Force $folder | ForEach-Object Name) }
        }
        finally {
            foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
            Remove-Item -Recurse -Force $folder -ErrorAction SilentlyContinue
        }
    }
}

Describe 'about_EcommerceAws' -Tag Unit {
    It 'Get-Help about_EcommerceAws works after Import-Module in a fresh pwsh' {
        $run = Invoke-FreshPwsh -Script "Import-Module '$env:ECOM_MODULE_PATH'; Get-Help about_EcommerceAws | Out-String -Width 200"
        $run.ExitCode | Should -Be 0
        $text = ($run.Output -replace '\x1b\[[0-9;]*[A-Za-z]', '') -join "`n"
        $text | Should -Match 'about_EcommerceAws'
        $text | Should -Match 'SCRIPTS STOP ON FAILURE'
        $text | Should -Match 'THE RUNBOOK'
        $text | Should -Match 'build\.ps1 StandIns'
        $text | Should -Match 'ERROR IDS'
    }

    It 'lists every ErrorId of docs/DESIGN.md §7, each as a whole word, under its paragraph''s heading, and nothing else' {
        $design = (Get-Content -Raw (Join-Path $root 'docs/DESIGN.md')) -replace "`r`n", "`n"
        $catalogue = [regex]::Match($design, '(?ms)^## 7\. [^\n]*\n(.*?)(?=^## |\z)').Groups[1].Value
        $named = @([regex]::Matches($catalogue, '`([^`]+)`') | ForEach-Object { $_.Groups[1].Value })
        # §7 also names a Redis key and cmdlets in its remarks: an ErrorId has no '-', ':' or leading '<'.
        $ids = @($named | Where-Object { $_ -notmatch '[-:]|^<' } | Select-Object -Unique)
        $ids.Count | Should -BeGreaterThan 80
        $about = (Get-Content -Raw $aboutPath) -replace "`r`n", "`n"
        $about | Should -Not -Match '\{\{ErrorIds\}\}'
        $listing = [regex]::Match($about, '(?ms)^    The ids \(docs/DESIGN\.md section 7\):\n(?<body>.*?)^SEE ALSO').Groups['body'].Value
        $idLines = @($listing -split "`n" | Where-Object { $_ -match '^        \S' })
        $headings = @($listing -split "`n" | Where-Object { $_ -match '^    \S' })
        $listed = @($idLines -split '\s+' | Where-Object { $_ })
        $words = @($listing -split '[\s(),;]+' | Where-Object { $_ })
        foreach ($id in $ids) { $words | Should -Contain $id -Because "$id is in the catalogue" }
        foreach ($word in $listed) { $ids | Should -Contain $word -Because "'$word' is listed as an ErrorId" }
        foreach ($paragraph in ($catalogue -split "`n\s*`n" | Where-Object { $_.Trim() })) {
            $start = ($paragraph.Trim() -split '[:(]')[0].Trim()
            @($headings | Where-Object { $_.Trim().StartsWith($start) }).Count | Should -Be 1 -Because "§7 has a paragraph '$start'"
        }
    }

    It 'fits an 80-column terminal' {
        Get-Content $aboutPath | Where-Object { $_.Length -gt 80 } | Should -BeNullOrEmpty
    }

    It 'every cmdlet''s help links to it' {
        foreach ($name in 'New-EcommerceTable', 'Invoke-EcommerceMigration', 'Get-EcommerceAlarm') {
            (Get-Help $name).relatedLinks.navigationLink.linkText | Should -Contain 'about_EcommerceAws'
        }
    }
}

Describe 'Runbook examples stop on the first failure' -Tag Unit {
    It 'README explains why, the PowerShell way' {
        $readme | Should -Match 'terminating error ends the statement, not the script'
        $readme | Should -Match ([regex]::Escape($stopLine))
    }

    It 'every README runbook block starts with $ErrorActionPreference = ''Stop''' {
        $blocks = @(Get-ReadmeRunbookBlocks)
        $blocks.Count | Should -BeGreaterOrEqual 6
        foreach ($block in $blocks) { ($block.Code -split "`n")[0] | Should -Be $stopLine -Because $block.Title }
    }

    It 'every runbook block of about_EcommerceAws starts with it' {
        $about = (Get-Content -Raw $aboutPath) -replace "`r`n", "`n"
        $runbook = [regex]::Match($about, '(?ms)^THE RUNBOOK\n(.*?)(?=^\S)').Groups[1].Value
        $steps = [regex]::Matches($runbook, '(?m)^    \d\. [^\n]+\n(?<first>[^\n]*)')
        $steps.Count | Should -BeGreaterOrEqual 6
        foreach ($step in $steps) { $step.Groups['first'].Value.Trim() | Should -Be $stopLine }
    }

    It 'the Demo sets it before its first step' {
        $demo = Get-Content (Join-Path $root 'samples/Invoke-Demo.ps1')
        $stopAt = [array]::IndexOf($demo, $stopLine)
        $stopAt | Should -BeGreaterOrEqual 0
        $firstStep = @($demo | Select-String -Pattern 'New-EcommerceStack' | Select-Object -First 1).LineNumber - 1
        $stopAt | Should -BeLessThan $firstStep
    }

}

Describe 'README step 1 run as a .ps1 when New-EcommerceStack fails (nothing listens at the endpoint)' -Tag Integration {
    Context 'as written, and without its first line' {
        BeforeAll {
            $script:provision = (Get-ReadmeRunbookBlocks | Where-Object Title -like '1. Provision*').Code
            $script:broken = @{ AWS_ENDPOINT_URL = "http://127.0.0.1:$(Get-FreePort)"; AWS_MAX_ATTEMPTS = '1' }
            $script:marker = "`nSet-Content -Path ./next-step-ran.txt -Value yes"
        }

        It 'exits non-zero, names the failed step, and runs nothing after it' {
            $run = Invoke-RunbookScript -Code ($provision + $marker) -Environment $broken
            $run.ExitCode | Should -Not -Be 0
            ($run.Output -join "`n") | Should -Match 'step 1 \(DynamoDB table\) failed'
            $run.Files | Should -Not -Contain '.env' -Because 'Export-EcommerceEnvFile is the next step'
            $run.Files | Should -Not -Contain 'next-step-ran.txt'
        }

        It 'without the first line the same script carries on and exits 0: why the line is there' {
            $withoutStop = ($provision -split "`n" | Where-Object { $_ -ne $stopLine }) -join "`n"
            $run = Invoke-RunbookScript -Code ($withoutStop + $marker) -Environment $broken
            $run.Files | Should -Contain 'next-step-ran.txt'
            $run.ExitCode | Should -Be 0
        }
    }
}

Describe 'The Demo' -Tag Integration {
    BeforeAll {
        $script:stackName = New-TestName 'demo'
        $script:demo = Invoke-FreshPwsh -Script "& '$(Join-Path $root 'samples/Invoke-Demo.ps1')' -StackName '$stackName'"
        $script:demoText = ($demo.Output -replace '\x1b\[[0-9;]*[A-Za-z]', '') -join "`n"
    }

    AfterAll {
        Remove-EcommerceAlarm -TableName $stackName -BucketName "$stackName-assets" -Confirm:$false -ErrorAction SilentlyContinue
        Remove-EcommerceStack -Name $stackName -Force -Confirm:$false -ErrorAction SilentlyContinue
    }

    It 'runs to the end' {
        $demo.ExitCode | Should -Be 0 -Because $demoText
    }

    It 'ends with what to try next' {
        $tail = ($demo.Output | Select-Object -Last 12) -join "`n"
        $tail | Should -Match 'what to try next'
        $tail | Should -Match 'build\.ps1 StandIns'
        $tail | Should -Match 'about_EcommerceAws'
    }

    It 'removes its work folder and says how to keep it' {
        $line = $demo.Output | Where-Object { $_ -match '^Work folder (?<path>\S+) removed' } | Select-Object -Last 1
        $line | Should -Not -BeNullOrEmpty
        $null = $line -match '^Work folder (?<path>\S+) removed'
        $Matches.path | Should -Not -Exist
        $line | Should -Match '-KeepWorkFolder'
    }
}
