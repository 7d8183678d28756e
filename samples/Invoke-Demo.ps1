<#
.SYNOPSIS
    The whole runbook on the local stand-ins: stack -> migration from the sample dump -> verification ->
    product images to S3 behind the CDN -> warm Redis cache -> .env. Run it with `dotnet pwsh ./build.ps1 Demo`,
    which starts moto, redis-server and the MongoDB wire test server and exports their endpoints.
    The work folder (rejects files, generated images, .env) is removed at the end unless -KeepWorkFolder is given
    (`dotnet pwsh ./build.ps1 Demo -KeepWorkFolder`).
#>
param(
    # Keep the work folder instead of removing it at the end.
    [switch] $KeepWorkFolder,

    # The stack's name (the table, ...-assets bucket and ...-redis cache are named after it).
    [ValidatePattern('^[a-z0-9][a-z0-9-]{1,38}$')]
    [string] $StackName = 'ecommerce-cameroon'
)
# A runbook stops at the first failed step (and pwsh -File exits non-zero) only with this line; see README.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module $env:ECOM_MODULE_PATH
$samples = $PSScriptRoot
$work = Join-Path ([System.IO.Path]::GetTempPath()) "ecommerce-demo-$PID"
$null = New-Item -ItemType Directory -Force -Path $work
function Write-Section([string] $Title) { Write-Host "`n=== $Title ===" -ForegroundColor Cyan }

try {
    Write-Section '1. Provision: table, private bucket, CloudFront CDN with OAC, Redis (New-EcommerceStack)'
    $stack = New-EcommerceStack -Name $StackName -Confirm:$false -WarningAction SilentlyContinue
    $stack | Format-List | Out-Host

    Write-Section '2a. Before migrating: what it will cost and take (Measure-MigrationCost)'
    Measure-MigrationCost -Path (Join-Path $samples 'dump/shop') -TableName $stack.TableName | Format-Table | Out-Host

    Write-Section '2. Migrate categories, products, users and orders from the mongodump files (Invoke-EcommerceMigration)'
    $results = $stack | Invoke-EcommerceMigration -Path (Join-Path $samples 'dump/shop') -RejectPath $work -Confirm:$false
    $results | Format-Table | Out-Host
    Write-Host "Rejected documents (the deliberately bad ones of samples/README.md), from the rejects files in ${work}:"
    Get-ChildItem $work -Filter '*-rejects-*.jsonl' | Get-Content | Out-Host

    Write-Section '3. Verify: counts and a sample compared attribute by attribute (Test-EcommerceMigration)'
    Test-EcommerceMigration -TableName $stack.TableName -Path (Join-Path $samples 'dump/shop') | Format-Table | Out-Host
    Write-Host 'Running the same migration again resumes from the checkpoints and writes nothing new:'
    $stack | Invoke-EcommerceMigration -Path (Join-Path $samples 'dump/shop') -RejectPath $work -Confirm:$false |
        Format-Table Entity, State, WrittenThisRun, Written, Rejected, Notes | Out-Host
    Get-MigrationStatus -TableName $stack.TableName | Format-Table | Out-Host

    Write-Section '4. Publish product images to S3 and rewrite their URLs to the CDN (Publish-ProductAsset)'
    # The old app's uploads folder: the samples reference /uploads/products/<slug>.jpg; make small JPEG files for them.
    $uploads = Join-Path $work 'uploads'
    foreach ($line in Get-Content (Join-Path $samples 'shop/products.json')) {
        $product = $line | ConvertFrom-Json
        if (-not $product.PSObject.Properties['images']) { continue }
        foreach ($image in @($product.images)) {
            if (-not $image) { continue }
            $file = Join-Path $uploads ($image -replace '^/?uploads/', '')
            $null = New-Item -ItemType Directory -Force -Path (Split-Path $file)
            [IO.File]::WriteAllBytes($file, [byte[]](0xFF, 0xD8, 0xFF, 0xE0) + [Text.Encoding]::UTF8.GetBytes($image))
        }
    }
    $stack | Publish-ProductAsset -TableName $stack.TableName -SourceRoot $uploads -Confirm:$false | Format-List | Out-Host

    Write-Section '5. Warm the Redis cache and read a product through it (Initialize-EcommerceCache, Get-EcommerceProduct)'
    # moto reports no ElastiCache endpoint, so the demo uses the local redis-server the harness started.
    Initialize-EcommerceCache -TableName $stack.TableName -RedisUrl $env:ECOM_TEST_REDIS_URL -Confirm:$false | Format-Table | Out-Host
    $first = Get-EcommerceProduct -TableName $stack.TableName -Category Electronics | Select-Object -First 1
    Get-EcommerceProduct -TableName $stack.TableName -Id $first.Id -RedisUrl $env:ECOM_TEST_REDIS_URL | Format-List | Out-Host

    Write-Section '6. The app''s environment (Get-EcommerceEnvironment | Export-EcommerceEnvFile)'
    $envFile = Join-Path $work '.env'
    $stack | Get-EcommerceEnvironment -WarningAction SilentlyContinue | Export-EcommerceEnvFile -Path $envFile -WarningAction SilentlyContinue | Out-Null
    Get-Content $envFile | Out-Host

    Write-Section '7. Operate: CloudWatch alarms and the least-privilege IAM policy for the runbook role'
    $stack | New-EcommerceAlarm -Confirm:$false | Format-Table | Out-Host
    $stack | Get-EcommerceIamPolicy -Scope Migrate | Format-List | Out-Host
    Remove-EcommerceStack -Name $stack.Name -WhatIf

    Write-Section 'Done: what to try next'
    Write-Host @"
Everything above ran on local stand-ins. Next:
  * Your own experiments on them: dotnet pwsh ./build.ps1 StandIns  (prints the environment to paste; Ctrl+C stops)
  * The whole runbook, step by step: README.md, "Runbook walkthrough", or Get-Help about_EcommerceAws
  * Any cmdlet's help with examples: Get-Help Invoke-EcommerceMigration -Full
  * Preview how documents map before migrating: ConvertTo-EcommerceItem -Entity Product -Path ./samples/dump/shop/products.bson
  * Real AWS: aws configure --profile shop, then New-EcommerceStack -Name $StackName -ProfileName shop -Region af-south-1
"@
}
finally {
    if ($KeepWorkFolder) {
        Write-Host "Work files kept in $work"
    }
    else {
        Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
        Write-Host "Work folder $work removed (run with -KeepWorkFolder, or ./build.ps1 Demo -KeepWorkFolder, to keep it)."
    }
}
