BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../TestServices.psm1') -Force
    Import-EcommerceAws
    $script:table = New-TestName 'conn'
    $script:bucket = New-TestName 'conn'
    New-EcommerceTable -TableName $table -Confirm:$false | Out-Null
    Invoke-AwsCli s3api create-bucket --bucket $bucket | Out-Null
}

AfterAll {
    Remove-EcommerceTable -TableName $table -Force -Confirm:$false -ErrorAction SilentlyContinue
    if (Test-AwsCli s3api head-bucket --bucket $bucket) { Invoke-AwsCli s3api delete-bucket --bucket $bucket | Out-Null }
}

Describe 'Test-EcommerceConnection' -Tag Integration {
    It 'gives one reachable row per given service and skips the CDN with a note' {
        $rows = [pscustomobject]@{ TableName = $table; BucketName = $bucket; RedisUrl = $env:ECOM_TEST_REDIS_URL; MongoUri = $env:ECOM_TEST_MONGO_URI } |
            Test-EcommerceConnection
        $rows | Should -HaveCount 5
        $rows[0] | Should -BeOfType ([EcommerceAws.Output.ConnectionTestResult])
        $rows.Service | Should -Be @('DynamoDB', 'S3', 'CDN', 'Redis', 'MongoDB')
        foreach ($r in $rows | Where-Object Service -ne 'CDN') {
            $r.Reachable | Should -BeTrue -Because "$($r.Service): $($r.Error)"
            $r.LatencyMs | Should -BeGreaterOrEqual 0
            $r.Error | Should -BeNullOrEmpty
        }
        $cdn = $rows | Where-Object Service -eq 'CDN'
        $cdn.Skipped | Should -BeTrue
        $cdn.Reachable | Should -BeFalse
        $cdn.Note | Should -Match 'CdnDomain'
        ($rows | Where-Object Service -eq 'DynamoDB').Note | Should -Match 'ACTIVE'
    }

    It 'explains failures in plain words' {
        $rows = Test-EcommerceConnection -TableName (New-TestName 'missing') -BucketName (New-TestName 'missing') -CdnDomain 'cdn.does-not-exist.invalid' `
            -RedisUrl 'redis://127.0.0.1:9' -TimeoutSeconds 3
        ($rows | Where-Object Service -eq 'DynamoDB').Error | Should -Match 'does not exist'
        ($rows | Where-Object Service -eq 'S3').Error | Should -Match 'does not exist'
        ($rows | Where-Object Service -eq 'CDN').Error | Should -Match 'does not resolve'
        ($rows | Where-Object Service -eq 'Redis').Error | Should -Match 'connection refused'
        $rows | ForEach-Object { $_.Reachable | Should -BeFalse }
    }

    It 'says ElastiCache is reachable only from inside its VPC when Redis times out' {
        # 10.255.255.1 is a private address nothing answers on: the connection times out or is unreachable
        $row = Test-EcommerceConnection -RedisUrl 'redis://10.255.255.1:6379' -TimeoutSeconds 1 | Where-Object Service -eq 'Redis'
        $row.Reachable | Should -BeFalse
        $row.Error | Should -Match 'only from inside its VPC'
    }

    It 'masks secrets and reports a wrong MongoDB password or Redis token plainly' {
        $password = 'Pw-' + [guid]::NewGuid().ToString('N')
        $token = 'Tk-' + [guid]::NewGuid().ToString('N')
        $mongo = Start-MongoWireServer -LogDirectory (Join-Path $TestDrive 'mongo') -MongoWireDll $env:ECOM_MONGOWIRE_DLL -User shop -Password $password
        $redis = Start-RedisServer -LogDirectory (Join-Path $TestDrive 'redis') -RequirePass $token
        try {
            $goodMongo = $mongo.Url
            $badMongo = $mongo.Url.Replace($password, "$password-wrong")
            $good = Test-EcommerceConnection -MongoUri $goodMongo -RedisUrl "redis://:$token@127.0.0.1:$($redis.Port)" -TimeoutSeconds 5 -Verbose *>&1
            $bad = Test-EcommerceConnection -MongoUri $badMongo -RedisUrl $redis.Url -AuthToken (ConvertTo-SecureString 'nope' -AsPlainText -Force) -TimeoutSeconds 5 *>&1
            $goodRows = $good | Where-Object { $_ -is [EcommerceAws.Output.ConnectionTestResult] }
            ($goodRows | Where-Object Service -eq 'MongoDB').Reachable | Should -BeTrue
            ($goodRows | Where-Object Service -eq 'MongoDB').Target | Should -Be "mongodb://shop:****@127.0.0.1:$($mongo.Port)/"
            ($goodRows | Where-Object Service -eq 'Redis').Reachable | Should -BeTrue
            ($goodRows | Where-Object Service -eq 'Redis').Target | Should -Be "redis://:****@127.0.0.1:$($redis.Port)"
            $badRows = $bad | Where-Object { $_ -is [EcommerceAws.Output.ConnectionTestResult] }
            ($badRows | Where-Object Service -eq 'MongoDB').Error | Should -Match 'refused the user name or password'
            ($badRows | Where-Object Service -eq 'Redis').Error | Should -Match 'refused the credentials'
            $text = ($good + $bad | Out-String) + ($goodRows + $badRows | Format-List * | Out-String)
            $text | Should -Not -Match $password
            $text | Should -Not -Match $token
        }
        finally { $mongo, $redis | Stop-TestService }
    }

    It 'masks a password holding "@" and "/" up to the last "@" of the authority (one masking function for every URI)' {
        $row = Test-EcommerceConnection -MongoUri 'mongodb://shop:Se@cret/Pw@127.0.0.1:9/shop?authSource=admin&authMechanismProperties=AWS_SESSION_TOKEN:Tok' -TimeoutSeconds 1 |
            Where-Object Service -eq 'MongoDB'
        $row.Target | Should -Be 'mongodb://shop:****@127.0.0.1:9/shop?authSource=admin&authMechanismProperties=****'
        ($row | Format-List * | Out-String) | Should -Not -Match 'cret|Tok'
    }

    It 'refuses a non-Redis URL before any call' {
        Get-ErrorId { Test-EcommerceConnection -RedisUrl 'http://127.0.0.1:6379' } | Should -BeLike 'InvalidRedisUrl,*'
    }
}
