# A sweep across cmdlet families: the AWS secret key and a Redis auth token used by a session must never show up in
# any of the six streams, in an error record (message, recommended action, exception text) or in a written .env file.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:secretKey = 'CANARYawsSecret' + [guid]::NewGuid().ToString('N')
    $script:token = 'CANARYredisToken' + [guid]::NewGuid().ToString('N').Substring(0, 12)
    $script:name = New-TestName 'secret'
    $script:work = Join-Path $TestDrive 'work'
    New-Item -ItemType Directory -Path $work | Out-Null
    $script:result = Invoke-FreshPwsh @"
`$env:AWS_SECRET_ACCESS_KEY = '$secretKey'
`$VerbosePreference = 'Continue'; `$DebugPreference = 'Continue'; `$InformationPreference = 'Continue'; `$WarningPreference = 'Continue'
Import-Module '$env:ECOM_MODULE_PATH'
`$secure = ConvertTo-SecureString '$token' -AsPlainText -Force
& {
    `$stack = New-EcommerceStack -Name $name -SkipCdn -Confirm:`$false
    `$stack | Get-EcommerceEnvironment | Export-EcommerceEnvFile -Path '$work/.env'
    Get-EcommerceTable -TableName $name
    Invoke-ProductMigration -TableName $name -Path '$env:ECOM_REPO_ROOT/samples/shop/products.json' -RejectPath '$work' -Confirm:`$false
    Get-MigrationStatus -TableName $name
    New-CacheCluster -CacheClusterId '$name-rg' -Mode ReplicationGroup -ReplicaCount 1 -AuthToken `$secure -Confirm:`$false
    Get-CacheCluster -CacheClusterId '$name-rg'
    Initialize-EcommerceCache -TableName $name -RedisUrl '$env:ECOM_TEST_REDIS_URL' -AuthToken `$secure -Confirm:`$false -ErrorAction Continue
    Test-EcommerceConnection -TableName $name -BucketName '$name-assets' -RedisUrl '$env:ECOM_TEST_REDIS_URL' -AuthToken `$secure
    Get-EcommerceTable -TableName $name -EndpointUrl 'http://127.0.0.1:9' -ErrorAction Continue
    Remove-EcommerceTable -TableName 'no-such-$name' -Confirm:`$false -ErrorAction Continue
    Get-EcommerceIamPolicy -Name $name
} *>&1 | ForEach-Object { `$_ | Out-String -Width 400 }
`$Error | ForEach-Object { `$_ | Out-String -Width 400; `$_.Exception.ToString(); `$_.ErrorDetails.RecommendedAction }
Remove-EcommerceStack -Name $name -Force -Confirm:`$false -ErrorAction SilentlyContinue *>&1 | Out-String
Remove-CacheCluster -CacheClusterId '$name-rg' -Confirm:`$false -NoWait -ErrorAction SilentlyContinue *>&1 | Out-String
"@
    $script:text = ($result.Output -join "`n") + "`n" + (Get-ChildItem $work -File -Recurse -Force | Get-Content -Raw) -join "`n"
}

Describe 'Secrets across the module' -Tag Integration {
    It 'ran the sweep (the commands really executed)' {
        $text | Should -Match 'Completed'          # the migration
        $text | Should -Match 'ReplicationGroup'   # the cache with the auth token
        $text | Should -Match 'AwsEndpointUnreachable|could not be reached'
        $text | Should -Match ([regex]::Escape($name))
        $text | Should -Match 'VERBOSE:'
        Get-Content (Join-Path $work '.env') | Should -Contain "DYNAMODB_TABLE=$name"
    }

    It 'never shows the AWS secret access key' {
        $text | Should -Not -Match $secretKey
    }

    It 'never shows the Redis auth token' {
        $text | Should -Not -Match $token
    }

    It 'writes no AWS key variables into the .env file' {
        (Get-Content -Raw (Join-Path $work '.env')) | Should -Not -Match 'AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|AWS_SESSION_TOKEN'
    }
}
