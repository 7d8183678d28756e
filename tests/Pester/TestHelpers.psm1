# Shared helpers for the Pester suites. The harness (build.ps1 Test) exports the stand-ins' endpoints:
# AWS_ENDPOINT_URL (moto), ECOM_TEST_REDIS_URL, ECOM_TEST_MONGO_URI, ECOM_MONGOWIRE_DLL, ECOM_MODULE_PATH.
Set-StrictMode -Version 3.0

function Import-EcommerceAws {
    $path = if ($env:ECOM_MODULE_PATH) { $env:ECOM_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/EcommerceAws' }
    Import-Module $path -Force -Global
}

function New-TestName([string] $Prefix = 'pester') {
    # Unique, lowercase, valid for tables, buckets and cache clusters.
    "$Prefix-$([guid]::NewGuid().ToString('N').Substring(0, 10))"
}

function Invoke-AwsCli {
    # The independent client: Debian's AWS CLI v2 against the same endpoint, JSON parsed; throws on failure.
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    $env:AWS_MAX_ATTEMPTS = '1'
    $env:AWS_PAGER = ''
    $output = & /usr/bin/aws --endpoint-url $env:AWS_ENDPOINT_URL --region us-east-1 --output json @Arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "aws $($Arguments -join ' ') failed ($LASTEXITCODE): $($output -join "`n")" }
    $text = ($output | ForEach-Object { "$_" }) -join "`n"
    if ($text.Trim()) { $text | ConvertFrom-Json -Depth 50 } else { $null }
}

function Test-AwsCli {
    # $true when the aws call succeeds (for "does it still exist" checks).
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    $null = & /usr/bin/aws --endpoint-url $env:AWS_ENDPOINT_URL --region us-east-1 --output json @Arguments 2>&1
    $LASTEXITCODE -eq 0
}

function Invoke-MongoClient {
    # The real MongoDB.Driver through the wire test server's client CLI.
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    $output = & dotnet $env:ECOM_MONGOWIRE_DLL client @Arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "MongoWire client $($Arguments -join ' ') failed ($LASTEXITCODE): $($output -join "`n")" }
    $output
}

function Invoke-FreshPwsh {
    # Runs a script in a brand-new pwsh process (same environment); returns its output lines and exit code.
    param([Parameter(Mandatory)] [string] $Script)
    $exe = Join-Path $PSHOME 'pwsh'
    $command = @(if (Test-Path $exe -PathType Leaf) { $exe } else { 'dotnet'; Join-Path $PSHOME 'pwsh.dll' })
    $file = Join-Path ([System.IO.Path]::GetTempPath()) "ecom-$([guid]::NewGuid().ToString('N')).ps1"
    Set-Content -Path $file -Value $Script
    try {
        $output = & $command[0] @($command | Select-Object -Skip 1) -NoProfile -NonInteractive -File $file 2>&1
        [pscustomobject]@{ Output = @($output | ForEach-Object { "$_" }); ExitCode = $LASTEXITCODE }
    }
    finally { Remove-Item $file -ErrorAction SilentlyContinue }
}

function Get-ErrorId {
    # Runs a script block expecting a terminating error; returns its FullyQualifiedErrorId ('' when none).
    param([scriptblock] $ScriptBlock)
    try { & $ScriptBlock | Out-Null; '' } catch { $_.FullyQualifiedErrorId }
}

Export-ModuleMember -Function *
