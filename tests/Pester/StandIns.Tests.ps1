# build.ps1 StandIns as a user meets it: it starts the stand-ins, prints the environment to paste, the pasted environment
# is all a fresh session needs (module against moto, the sample shop through the MongoDB URI), and Ctrl+C stops it all.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../TestServices.psm1') -Force
    $script:root = if ($env:ECOM_REPO_ROOT) { $env:ECOM_REPO_ROOT } else { (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path }

    function Test-PortOpen([int] $Port) {
        $client = [System.Net.Sockets.TcpClient]::new()
        try { $client.Connect('127.0.0.1', $Port); $true } catch { $false } finally { $client.Dispose() }
    }

    # Started from this pwsh (not a shell's background job, which would ignore SIGINT), output read line by line.
    $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in (Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'build.ps1'), 'StandIns', '-SkipBuild') {
        $start.ArgumentList.Add($argument)
    }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.RedirectStandardInput = $true
    $start.WorkingDirectory = $root
    $script:process = [System.Diagnostics.Process]::Start($start)
    $script:errors = $process.StandardError.ReadToEndAsync()
    $script:printed = [System.Collections.Generic.List[string]]::new()
    $deadline = [DateTime]::UtcNow.AddMinutes(3)
    while ([DateTime]::UtcNow -lt $deadline) {
        $read = $process.StandardOutput.ReadLineAsync()
        if (-not $read.Wait(($deadline - [DateTime]::UtcNow))) { break }
        if ($null -eq $read.Result) { break }
        $printed.Add(($read.Result -replace '\x1b\[[0-9;]*m', ''))
        if ($read.Result -match 'Press Ctrl\+C') { break }
    }
    $script:text = $printed -join "`n"
    if ($text -notmatch 'Press Ctrl\+C') {
        if (-not $process.HasExited) { $process.Kill($true) }
        throw "build.ps1 StandIns did not get ready (exited: $($process.HasExited)):`n$text`n$($errors.Result)"
    }
    $script:powershellBlock = @($printed | Select-Object -Skip ([array]::IndexOf($printed.ToArray(), '# PowerShell: paste into another pwsh session') + 1) |
        ForEach-Object -Begin { $on = $true } -Process { if (-not $_) { $on = $false }; if ($on) { $_ } })
    $script:bashBlock = @($printed | Select-Object -Skip ([array]::IndexOf($printed.ToArray(), '# bash: paste into a shell') + 1) |
        ForEach-Object -Begin { $on = $true } -Process { if (-not $_) { $on = $false }; if ($on) { $_ } })
    $script:variables = @{}
    foreach ($line in $powershellBlock) { if ($line -match "^\`$env:(?<name>\w+) = '(?<value>[^']*)'$") { $variables[$Matches.name] = $Matches.value } }
    $script:ports = @($variables.AWS_ENDPOINT_URL, $variables.REDIS_URL, $variables.MONGODB_URI) |
        ForEach-Object { if ($_ -match ':(\d+)(/|$)') { [int]$Matches[1] } }

    $script:table = New-TestName 'standin'
    # A fresh session that knows nothing of this harness: every AWS_/ECOM_ variable removed, then the printed lines.
    $script:cleanSlate = @'
Get-ChildItem Env: | Where-Object Name -match '^(AWS_|ECOM_|MONGODB_URI|REDIS_URL)' | ForEach-Object { Remove-Item "Env:$($_.Name)" }
'@
}

AfterAll {
    if ($process -and -not $process.HasExited) { $process.Kill($true) }
}

Describe 'build.ps1 StandIns' -Tag Integration {
    It 'prints the environment to paste, as PowerShell and as bash' {
        $text | Should -Match 'Press Ctrl\+C'
        $variables.Keys | Sort-Object | Should -Be @('AWS_ACCESS_KEY_ID', 'AWS_DEFAULT_REGION', 'AWS_EC2_METADATA_DISABLED', 'AWS_ENDPOINT_URL', 'AWS_REGION',
            'AWS_SECRET_ACCESS_KEY', 'ECOM_MONGOWIRE_DLL', 'MONGODB_URI', 'REDIS_URL')
        $variables.AWS_ENDPOINT_URL | Should -Match '^http://127\.0\.0\.1:\d+$'
        $variables.MONGODB_URI | Should -Match '^mongodb://shop:[^@]+@127\.0\.0\.1:\d+/shop\?authSource=admin$'
        $variables.REDIS_URL | Should -Match '^redis://127\.0\.0\.1:\d+$'
        $powershellBlock | Should -Contain "Import-Module '$(Join-Path $root 'out/EcommerceAws')'"
        foreach ($name in $variables.Keys) { $bashBlock | Should -Contain "export $name='$($variables[$name])'" }
        $ports.Count | Should -Be 3
        foreach ($port in $ports) { Test-PortOpen $port | Should -BeTrue }
    }

    It 'points at the wire server''s serve/client usage' {
        $text | Should -Match 'tests/Fixtures/MongoWire/README\.md'
        $text | Should -Match 'client --uri \$env:MONGODB_URI'
    }

    It 'the pasted PowerShell lines are all a fresh pwsh needs: the module against moto, the sample shop through MONGODB_URI' {
        $script = $cleanSlate + "`n" + ($powershellBlock -join "`n") + @"

`$ErrorActionPreference = 'Stop'
New-EcommerceTable -TableName '$table' | Out-Null
'tables: ' + ((Get-EcommerceTable).TableName -join ',')
'endpoint: ' + `$env:AWS_ENDPOINT_URL
'products in the shop: ' + (dotnet `$env:ECOM_MONGOWIRE_DLL client --uri `$env:MONGODB_URI count --db shop --collection products)
`$run = Invoke-CategoryMigration -TableName '$table' -MongoUri `$env:MONGODB_URI -RejectPath ([IO.Path]::GetTempPath()) -Confirm:`$false
'categories: written ' + `$run.Written + ', rejected ' + `$run.Rejected
"@
        $run = Invoke-FreshPwsh -Script $script
        $run.Output = @($run.Output -replace '\x1b\[[0-9;]*[A-Za-z]', '')
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $run.Output | Should -Contain "endpoint: $($variables.AWS_ENDPOINT_URL)" -Because 'the fresh session must use the printed moto, not the harness''s'
        $run.Output | Should -Contain "tables: $table"
        $run.Output | Should -Contain 'products in the shop: 64'
        $run.Output | Should -Contain 'categories: written 6, rejected 1'
        ($run.Output -join "`n") | Should -Not -Match 'stand-in@' -Because 'the module masks the password of a MongoDB URI'
    }

    It 'the pasted bash lines work too (AWS CLI against the same moto)' {
        # AWS CLI 2.9 predates AWS_ENDPOINT_URL: pass the exported value on explicitly.
        $bash = ($bashBlock -join "`n") + "`n" + '/usr/bin/aws --endpoint-url "$AWS_ENDPOINT_URL" dynamodb list-tables --output json'
        $output = & env -i "PATH=$env:PATH" "HOME=$env:HOME" bash -c $bash 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        (($output -join "`n") | ConvertFrom-Json).TableNames | Should -Contain $table -Because ($output -join "`n")
    }

    It 'Ctrl+C (SIGINT) stops the stand-ins: the script ends and every port closes' {
        & kill -INT $process.Id
        $process.WaitForExit(60000) | Should -BeTrue
        $rest = $process.StandardOutput.ReadToEnd()
        $rest | Should -Match 'Stopping the stand-ins'
        foreach ($port in $ports) { Test-PortOpen $port | Should -BeFalse -Because "port $port must be closed" }
    }
}
