# Region, profile and credentials come from the SDK's chain on every call, never from a process-wide cache:
# a sysadmin who sets $env:AWS_REGION (or switches AWS_PROFILE) after a first command gets the new region at the
# next command. moto keeps data per region, so a table created in one region is visible only there.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-EcommerceAws
    $script:saved = @{}
    foreach ($name in 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE') { $script:saved[$name] = [Environment]::GetEnvironmentVariable($name) }
    $script:tables = [System.Collections.Generic.List[object]]::new()

    function Get-TableNamesIn([string] $Region) {
        # The independent client, asked about one region.
        $env:AWS_PAGER = ''
        $json = & /usr/bin/aws --endpoint-url $env:AWS_ENDPOINT_URL --region $Region --output json dynamodb list-tables 2>&1
        if ($LASTEXITCODE -ne 0) { throw "aws dynamodb list-tables --region $Region failed: $json" }
        @(($json -join "`n" | ConvertFrom-Json).TableNames)
    }
}

AfterAll {
    # Unset what was unset: [Environment]::SetEnvironmentVariable(name, $null) from PowerShell passes "" (an empty
    # AWS_PROFILE then breaks every later AWS CLI call and moto start with "The config profile () could not be found").
    foreach ($name in $script:saved.Keys) {
        if ($null -eq $script:saved[$name]) { Remove-Item "Env:$name" -ErrorAction SilentlyContinue } else { Set-Item "Env:$name" $script:saved[$name] }
    }
    foreach ($t in $script:tables) {
        Remove-EcommerceTable -TableName $t.Name -Region $t.Region -Force -Confirm:$false -ErrorAction SilentlyContinue | Out-Null
    }
}

Describe 'The region is resolved per call' -Tag Integration {
    It 'uses $env:AWS_REGION set after a first call (SDK table calls, hand-written clients and the stack''s region)' {
        $us = New-TestName 'region'
        $af = New-TestName 'region'
        $env:AWS_DEFAULT_REGION = $null
        $env:AWS_REGION = 'us-east-1'
        New-EcommerceTable -TableName $us -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        $script:tables.Add(@{ Name = $us; Region = 'us-east-1' })
        @(Get-EcommerceTable | ForEach-Object TableName) | Should -Contain $us
        (Get-EcommerceAlarm -TableName $us) | Out-Null   # a hand-written client resolved the region too

        $env:AWS_REGION = 'af-south-1'
        $listed = @(Get-EcommerceTable | ForEach-Object TableName)
        $listed | Should -Not -Contain $us -Because 'us-east-1''s table is not in af-south-1'
        New-EcommerceTable -TableName $af -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        $script:tables.Add(@{ Name = $af; Region = 'af-south-1' })
        Get-TableNamesIn 'af-south-1' | Should -Contain $af
        Get-TableNamesIn 'us-east-1' | Should -Not -Contain $af
        (Get-EcommerceStack -Name $af -WarningAction SilentlyContinue).Region | Should -Be 'af-south-1'
        (Get-EcommerceStack -Name $af -WarningAction SilentlyContinue | Get-EcommerceEnvironment -WarningAction SilentlyContinue).AWS_REGION |
            Should -Be 'af-south-1'
        (Get-EcommerceEnvironment -TableName $af -BucketName "$af-assets" -WarningAction SilentlyContinue).AWS_REGION | Should -Be 'af-south-1'
        (Get-EcommerceIamPolicy -Name $af -AccountId 123456789012).Region | Should -Be 'af-south-1'

        # the hand-written clients sign for the new region: moto files the alarm under af-south-1
        $alarmLog = Join-Path ([System.IO.Path]::GetTempPath()) "region-chain-$([guid]::NewGuid().ToString('N')).jsonl"
        $env:ECOM_AWS_REQUEST_LOG = $alarmLog
        try { Get-EcommerceAlarm -TableName $af | Out-Null }
        finally { Remove-Item Env:ECOM_AWS_REQUEST_LOG }
        $logged = @(Get-Content $alarmLog | ConvertFrom-Json)
        Remove-Item $alarmLog
        $logged.Count | Should -BeGreaterThan 0
        $logged[-1].signingRegion | Should -Be 'af-south-1'

        $env:AWS_REGION = 'us-east-1'
        @(Get-EcommerceTable | ForEach-Object TableName) | Should -Contain $us
        @(Get-EcommerceTable | ForEach-Object TableName) | Should -Not -Contain $af
    }

    It 'falls back to AWS_DEFAULT_REGION, and -Region still wins over both' {
        $env:AWS_REGION = $null
        $env:AWS_DEFAULT_REGION = 'af-south-1'
        (Get-EcommerceIamPolicy -Name shop -AccountId 123456789012).Region | Should -Be 'af-south-1'
        $env:AWS_DEFAULT_REGION = 'eu-west-1'
        (Get-EcommerceIamPolicy -Name shop -AccountId 123456789012).Region | Should -Be 'eu-west-1'
        $env:AWS_REGION = 'us-east-1'
        (Get-EcommerceIamPolicy -Name shop -AccountId 123456789012).Region | Should -Be 'us-east-1'
        (Get-EcommerceIamPolicy -Name shop -AccountId 123456789012 -Region af-south-1).Region | Should -Be 'af-south-1'
    }

    It 'follows AWS_PROFILE switches to the profile''s region (a fresh session with its own config file)' {
        $config = Join-Path ([System.IO.Path]::GetTempPath()) "aws-config-$([guid]::NewGuid().ToString('N'))"
        Set-Content -Path $config -Value "[profile cape]`nregion = af-south-1`n`n[profile dublin]`nregion = eu-west-1`n"
        $previous = $env:AWS_CONFIG_FILE
        try {
            $env:AWS_CONFIG_FILE = $config   # the fresh process reads it from the start
            $env:AWS_REGION = $null; $env:AWS_DEFAULT_REGION = $null; $env:AWS_PROFILE = $null
            $module = if ($env:ECOM_MODULE_PATH) { $env:ECOM_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/EcommerceAws' }
            $result = Invoke-FreshPwsh @"
Import-Module '$module'
`$env:AWS_PROFILE = 'cape'
'first=' + (Get-EcommerceIamPolicy -Name shop -AccountId 123456789012).Region
`$env:AWS_PROFILE = 'dublin'
'second=' + (Get-EcommerceIamPolicy -Name shop -AccountId 123456789012).Region
`$env:AWS_REGION = 'us-east-1'
'third=' + (Get-EcommerceIamPolicy -Name shop -AccountId 123456789012).Region
"@
            $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
            $result.Output | Should -Contain 'first=af-south-1'
            $result.Output | Should -Contain 'second=eu-west-1'
            $result.Output | Should -Contain 'third=us-east-1'
        }
        finally {
            $env:AWS_CONFIG_FILE = $previous
            Remove-Item $config -ErrorAction SilentlyContinue
        }
    }

    It 'reports AwsRegionMissing when nothing names a region (no cached answer from an earlier call)' {
        $env:AWS_REGION = $null; $env:AWS_DEFAULT_REGION = $null; $env:AWS_PROFILE = $null
        Get-ErrorId { Get-EcommerceIamPolicy -Name shop -AccountId 123456789012 } | Should -BeLike 'AwsRegionMissing*'
        $env:AWS_REGION = 'us-east-1'
    }
}
