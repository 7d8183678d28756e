BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-EcommerceAws
    $script:name = New-TestName 'stack'
    $script:stack = New-EcommerceStack -Name $name -Confirm:$false -WarningVariable script:stackWarnings -WarningAction SilentlyContinue
}

AfterAll {
    Remove-EcommerceStack -Name $name -Force -Confirm:$false -ErrorAction SilentlyContinue
}

Describe 'New-EcommerceStack' -Tag Integration {
    It 'creates table, bucket, CDN and cache cluster with derived names' {
        $stack | Should -BeOfType ([EcommerceAws.Output.EcommerceStack])
        $stack.TableName | Should -Be $name
        $stack.BucketName | Should -Be "$name-assets"
        $stack.CacheClusterId | Should -Be "$name-redis"
        $stack.DistributionId | Should -Not -BeNullOrEmpty
        $stack.CdnUrl | Should -BeLike 'https://*'
        $stack.Region | Should -Be 'us-east-1'
    }

    It 'really created each resource (checked with the AWS CLI)' {
        (Invoke-AwsCli dynamodb describe-table --table-name $name).Table.TableStatus | Should -Be 'ACTIVE'
        Test-AwsCli s3api head-bucket --bucket "$name-assets" | Should -BeTrue
        (Invoke-AwsCli cloudfront get-distribution --id $stack.DistributionId).Distribution.Id | Should -Be $stack.DistributionId
        (Invoke-AwsCli elasticache describe-cache-clusters --cache-cluster-id "$name-redis").CacheClusters[0].CacheClusterId | Should -Be "$name-redis"
    }

    It 'leaves RedisUrl empty when the endpoint is unknown, never a made-up URL' {
        # moto returns no cache endpoint (STANDINS.md)
        $stack.RedisUrl | Should -BeNullOrEmpty
    }

    It 'converges when run again: same distribution, no duplicates' {
        $again = New-EcommerceStack -Name $name -Confirm:$false -WarningAction SilentlyContinue
        $again.DistributionId | Should -Be $stack.DistributionId
        $again.Resources | Should -Match 'already there'
        # moto's list summaries carry no origins: read each distribution's config
        $ours = @((Invoke-AwsCli cloudfront list-distributions).DistributionList.Items | Where-Object {
            (Invoke-AwsCli cloudfront get-distribution-config --id $_.Id).DistributionConfig.Origins.Items.DomainName -like "$name-assets.*" })
        $ours.Count | Should -Be 1
    }

    It '-WhatIf creates nothing' {
        $other = New-TestName 'stackwi'
        New-EcommerceStack -Name $other -WhatIf | Should -BeNullOrEmpty
        Test-AwsCli dynamodb describe-table --table-name $other | Should -BeFalse
        Test-AwsCli s3api head-bucket --bucket "$other-assets" | Should -BeFalse
    }

    It 'refuses a tag AWS would reject before creating anything (no half-built stack)' {
        $other = New-TestName 'stacktag'
        Get-ErrorId { New-EcommerceStack -Name $other -Tag @{ 'team!' = 'ops' } -Confirm:$false } | Should -BeLike 'InvalidTag,*'
        Test-AwsCli dynamodb describe-table --table-name $other | Should -BeFalse
    }

    It 'refuses an invalid derived bucket name before any call' {
        Get-ErrorId { New-EcommerceStack -Name 'Bad_Name' -EndpointUrl 'http://127.0.0.1:9' -Confirm:$false } | Should -BeLike 'InvalidBucketName,*'
    }
}

Describe 'Get-EcommerceStack' -Tag Integration {
    It 'finds the same resources by name' {
        $found = Get-EcommerceStack -Name $name
        $found.DistributionId | Should -Be $stack.DistributionId
        $found.BucketName | Should -Be "$name-assets"
        $found.CacheClusterId | Should -Be "$name-redis"
    }
}

Describe 'Get-EcommerceEnvironment and Export-EcommerceEnvFile' -Tag Integration {
    It 'returns the guide''s Step 2 variables from the stack, without secrets' {
        $envVars = $stack | Get-EcommerceEnvironment -WarningAction SilentlyContinue
        $envVars.AWS_REGION | Should -Be 'us-east-1'
        $envVars.DYNAMODB_TABLE | Should -Be $name
        $envVars.S3_BUCKET_NAME | Should -Be "$name-assets"
        $envVars.CLOUDFRONT_URL | Should -Be $stack.CdnUrl
        ($envVars | ConvertTo-Json) | Should -Not -Match 'SECRET|testing'
    }

    It 'updates those keys in an existing .env and leaves other lines untouched' {
        $path = Join-Path $TestDrive '.env'
        Set-Content $path -Value @('# my app', 'MONGODB_URI=mongodb://user:pw@db:27017/shop', 'DYNAMODB_TABLE=old-table', 'PORT=3000')
        $result = $stack | Get-EcommerceEnvironment -WarningAction SilentlyContinue | Export-EcommerceEnvFile -Path $path -WarningAction SilentlyContinue
        $lines = Get-Content $path
        $lines[0] | Should -Be '# my app'
        $lines | Should -Contain 'MONGODB_URI=mongodb://user:pw@db:27017/shop'
        $lines | Should -Contain 'PORT=3000'
        $lines | Should -Contain "DYNAMODB_TABLE=$name"
        $lines | Should -Contain "S3_BUCKET_NAME=$name-assets"
        $lines | Should -Contain "CLOUDFRONT_URL=$($stack.CdnUrl)"
        @($lines | Where-Object { $_ -like 'DYNAMODB_TABLE=*' }).Count | Should -Be 1
        $lines -join "`n" | Should -Not -Match 'AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID'
        $result.Updated | Should -Contain 'DYNAMODB_TABLE'
        $result.Added | Should -Contain 'S3_BUCKET_NAME'
    }

    It '-WhatIf leaves the file as it was' {
        $path = Join-Path $TestDrive 'whatif.env'
        Set-Content $path -Value 'PORT=3000'
        $stack | Get-EcommerceEnvironment -WarningAction SilentlyContinue | Export-EcommerceEnvFile -Path $path -WhatIf
        Get-Content $path | Should -Be @('PORT=3000')
    }
}

Describe 'Remove-EcommerceStack' -Tag Integration {
    It '-WhatIf lists every resource and deletes nothing' {
        # What-if lines go to the host, so read them from a transcript
        $transcript = Join-Path $TestDrive 'whatif.txt'
        Start-Transcript -Path $transcript | Out-Null
        try { Remove-EcommerceStack -Name $name -Force -WhatIf } finally { Stop-Transcript | Out-Null }
        $plan = Get-Content -Raw $transcript
        $plan | Should -Match ([regex]::Escape($stack.DistributionId))
        $plan | Should -Match ([regex]::Escape("$name-redis"))
        $plan | Should -Match ([regex]::Escape("$name-assets"))
        $plan | Should -Match ('DynamoDB table.*on target "' + [regex]::Escape($name) + '"')
        Test-AwsCli dynamodb describe-table --table-name $name | Should -BeTrue
        Test-AwsCli s3api head-bucket --bucket "$name-assets" | Should -BeTrue
        Test-AwsCli cloudfront get-distribution --id $stack.DistributionId | Should -BeTrue
    }

    It 'says that no such stack exists, with -WhatIf and without, instead of printing nothing' {
        $missing = New-TestName 'nostack'
        foreach ($whatIf in $true, $false) {
            $out = Remove-EcommerceStack -Name $missing -WhatIf:$whatIf -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            @($warnings).Count | Should -Be 1
            "$($warnings[0])" | Should -Match "^No stack '$missing' in [a-z0-9-]+: .*nothing to remove"
        }
    }

    It 'with -Force deletes everything the stack created' {
        $other = New-TestName 'stackrm'
        $s = New-EcommerceStack -Name $other -Confirm:$false -WarningAction SilentlyContinue
        $s | Remove-EcommerceStack -Force -Confirm:$false
        Test-AwsCli dynamodb describe-table --table-name $other | Should -BeFalse
        Test-AwsCli s3api head-bucket --bucket "$other-assets" | Should -BeFalse
        Test-AwsCli cloudfront get-distribution --id $s.DistributionId | Should -BeFalse
        # moto keeps a deleted cache in 'deleting' for ever (STANDINS): check the delete was accepted
        $cache = (Invoke-AwsCli elasticache describe-cache-clusters --cache-cluster-id "$other-redis").CacheClusters
        @($cache | Where-Object CacheClusterStatus -ne 'deleting').Count | Should -Be 0
    }
}

Describe 'Remove-EcommerceStack refusals and partial failures' -Tag Integration {
    It 'checks every foreseeable refusal before the first deletion: a non-empty bucket and a protected table leave everything in place' {
        # The reported run: "Yes to All" deleted the distribution, started deleting the cache, then stopped at the bucket.
        $other = New-TestName 'stackno'
        $s = New-EcommerceStack -Name $other -Confirm:$false -WarningAction SilentlyContinue
        try {
            $file = [System.IO.Path]::GetTempFileName()
            Set-Content -Path $file -Value 'image'
            Invoke-AwsCli s3api put-object --bucket "$other-assets" --key 'products/p1.jpg' --body $file | Out-Null
            Remove-Item $file

            Remove-EcommerceStack -Name $other -WhatIf -WarningVariable whatIfWarnings -WarningAction SilentlyContinue
            ($whatIfWarnings -join "`n") | Should -Match 'not empty'

            $err = try { Remove-EcommerceStack -Name $other -Confirm:$false; $null } catch { $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'StackRemovalRefused*'
            $err.Exception.Message | Should -Match 'nothing was deleted'
            $err.Exception.Message | Should -Match ([regex]::Escape("bucket $other-assets is not empty"))
            $err.Exception.Message | Should -Match ([regex]::Escape("table $other has deletion protection on"))
            $err.ErrorDetails.RecommendedAction | Should -Match '-Force'

            (Invoke-AwsCli cloudfront get-distribution --id $s.DistributionId).Distribution.DistributionConfig.Enabled | Should -BeTrue
            (Invoke-AwsCli elasticache describe-cache-clusters --cache-cluster-id "$other-redis").CacheClusters[0].CacheClusterStatus | Should -Be 'available'
            Test-AwsCli s3api head-bucket --bucket "$other-assets" | Should -BeTrue
            Test-AwsCli dynamodb describe-table --table-name $other | Should -BeTrue
        }
        finally { Remove-EcommerceStack -Name $other -Force -Confirm:$false -ErrorAction SilentlyContinue }
    }

    It 'says exactly what was and was not deleted when a deletion fails on the way' {
        $other = New-TestName 'stackhalf'
        $s = New-EcommerceStack -Name $other -Confirm:$false -WarningAction SilentlyContinue
        $proxy = Start-AwsProxy
        try {
            Set-AwsProxyRule $proxy @(@{ match = 'DeleteTable'; times = 1; status = 400; contentType = 'application/x-amz-json-1.0'; body = (New-DynamoDbError -Code AccessDeniedException -Message 'not authorized to perform: dynamodb:DeleteTable') })
            $err = try { Remove-EcommerceStack -Name $other -Force -EndpointUrl $proxy.Url -Confirm:$false; $null } catch { $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'StackRemovalFailed.Aws.AccessDeniedException*'
            $err.Exception.Message | Should -Match ([regex]::Escape("Deleted: distribution $($s.DistributionId), cache $other-redis, bucket $other-assets; not deleted: table $other."))
            Test-AwsCli cloudfront get-distribution --id $s.DistributionId | Should -BeFalse
            Test-AwsCli dynamodb describe-table --table-name $other | Should -BeTrue
        }
        finally {
            Stop-AwsProxy $proxy
            Remove-EcommerceStack -Name $other -Force -Confirm:$false -ErrorAction SilentlyContinue
        }
    }
}
