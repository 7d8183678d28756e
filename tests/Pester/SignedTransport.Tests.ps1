# The hand-written signed transport (CloudFront, ElastiCache, CloudWatch) against answers moto never gives:
# redirects, a far-off clock, throttling, and CloudFront's "already exists" answers after a lost response.
# The scripted proxy (tests/Fixtures/ThrottleProxy) sits between the module and moto and answers chosen
# operations as each test tells it, over real sockets.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-EcommerceAws
    $script:proxy = Start-AwsProxy
    $script:log = Join-Path ([System.IO.Path]::GetTempPath()) "aws-requests-$([guid]::NewGuid().ToString('N')).log"
    $env:ECOM_AWS_REQUEST_LOG = $script:log
    $script:buckets = [System.Collections.Generic.List[string]]::new()
    $script:suiteBase = $env:ECOM_AWS_RETRY_BASE_MS   # the harness shortens backoff for moto; tests set their own
    function Set-RetryBase([string] $Ms) { if ($Ms) { $env:ECOM_AWS_RETRY_BASE_MS = $Ms } else { Remove-Item Env:ECOM_AWS_RETRY_BASE_MS -ErrorAction SilentlyContinue } }
    function Get-Retries { @(Read-AwsRequestLog $script:log | Where-Object { $_.PSObject.Properties['event'] -and $_.event -eq 'retry' }) }
}

AfterAll {
    Stop-AwsProxy $proxy
    Remove-Item Env:ECOM_AWS_REQUEST_LOG -ErrorAction SilentlyContinue
    Set-RetryBase $suiteBase
    Remove-Item $script:log -ErrorAction SilentlyContinue
    foreach ($bucket in $script:buckets) {
        foreach ($d in @(Get-AssetCdn -BucketName $bucket -ErrorAction SilentlyContinue)) { Remove-AssetCdn -DistributionId $d.DistributionId -Confirm:$false -ErrorAction SilentlyContinue }
        Remove-AssetBucket -BucketName $bucket -Force -Confirm:$false -ErrorAction SilentlyContinue
    }
}

Describe 'Redirects' -Tag Integration {
    It 'are never followed: a 307 comes back as Aws.HttpRedirect307 naming the target, and the target is never called' {
        Set-AwsProxyRule $proxy @(@{ match = 'DescribeAlarms'; status = 307; headers = @{ Location = "$($proxy.Url)/elsewhere" } })
        $err = try { Get-EcommerceAlarm -EndpointUrl $proxy.Url; $null } catch { $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'Aws.HttpRedirect307*'
        $err.Exception.Message | Should -Match ([regex]::Escape("$($proxy.Url)/elsewhere"))
        $err.Exception.Message | Should -Match 'SigV4'
        @(Get-AwsProxyRequest $proxy | Where-Object path -like '/elsewhere*').Count | Should -Be 0
    }
}

Describe 'Clock skew' -Tag Integration {
    BeforeAll {
        # A proxy of its own: the correction is remembered per endpoint for the whole session, as in AWSSDK.Core.
        $script:skewed = Start-AwsProxy
    }
    AfterAll { Stop-AwsProxy $skewed }

    It 'corrects the signing clock from the Date header of a "Signature expired" answer and retries once' {
        Set-AwsProxyRule $skewed @(@{
                match = 'DescribeAlarms'; times = 1; status = 403; headers = @{ Date = '+7200' }
                body = (New-AwsQueryError -Code SignatureDoesNotMatch -Message 'Signature expired: 20260101T000000Z is now earlier than 20260101T020000Z (20260101T021500Z - 15 min.)')
            })
        { Get-EcommerceAlarm -EndpointUrl $skewed.Url } | Should -Not -Throw
        $seen = @(Get-AwsProxyRequest $skewed | Where-Object op -eq 'DescribeAlarms')
        $seen.Count | Should -Be 2
        $first = [datetime]::ParseExact($seen[0].amzDate, "yyyyMMdd'T'HHmmss'Z'", $null, 'AdjustToUniversal,AssumeUniversal')
        $second = [datetime]::ParseExact($seen[1].amzDate, "yyyyMMdd'T'HHmmss'Z'", $null, 'AdjustToUniversal,AssumeUniversal')
        (($second - $first).TotalMinutes) | Should -BeGreaterThan 115 -Because 'the retry is signed with the server''s clock, two hours ahead'
        (($second - $first).TotalMinutes) | Should -BeLessThan 125
    }

    It 'keeps the correction for later calls to the same endpoint' {
        Set-AwsProxyRule $skewed @()
        Get-EcommerceAlarm -EndpointUrl $skewed.Url | Out-Null
        $sent = [datetime]::ParseExact((Get-AwsProxyRequest $skewed)[0].amzDate, "yyyyMMdd'T'HHmmss'Z'", $null, 'AdjustToUniversal,AssumeUniversal')
        (($sent - [datetime]::UtcNow).TotalMinutes) | Should -BeGreaterThan 115
    }

    It 'retries RequestTimeTooSkewed only once, and not at all when the clocks agree (a real signature problem)' {
        $other = Start-AwsProxy
        try {
            Set-AwsProxyRule $other @(@{ match = 'DescribeAlarms'; times = 5; status = 403; headers = @{ Date = '+0' }; body = (New-AwsQueryError -Code RequestTimeTooSkewed) })
            $err = try { Get-EcommerceAlarm -EndpointUrl $other.Url; $null } catch { $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'Aws.RequestTimeTooSkewed*'
            @(Get-AwsProxyRequest $other).Count | Should -Be 1 -Because 'the server clock is ours: nothing to correct'
        }
        finally { Stop-AwsProxy $other }
    }
}

Describe 'Throttling backoff' -Tag Integration {
    AfterEach { Set-RetryBase $suiteBase }

    It 'waits with full jitter from a 1 s base, up to 20 s (the SDKs'' standard retry mode)' {
        Set-RetryBase $null   # the real default
        Remove-Item $log -ErrorAction SilentlyContinue
        Set-AwsProxyRule $proxy @(@{ match = 'DescribeAlarms'; times = 1; status = 400; body = (New-AwsQueryError -Code Throttling -Message 'Rate exceeded') })
        { Get-EcommerceAlarm -EndpointUrl $proxy.Url } | Should -Not -Throw
        $retry = @(Get-Retries)
        $retry.Count | Should -Be 1
        $retry[0].error | Should -Be 'Throttling'
        $retry[0].baseMs | Should -Be 1000
        $retry[0].capMs | Should -Be 1000
        $retry[0].maxMs | Should -Be 20000
        $retry[0].delayMs | Should -BeLessOrEqual 1000
    }

    It 'retries Throttling, RequestLimitExceeded, 429 and 503 SlowDown with a doubling cap (base shortened by ECOM_AWS_RETRY_BASE_MS)' {
        Remove-Item $log -ErrorAction SilentlyContinue
        $env:ECOM_AWS_RETRY_BASE_MS = '10'
        Set-AwsProxyRule $proxy @(
            @{ match = 'DescribeAlarms'; status = 503; body = (New-AwsQueryError -Code SlowDown -Type Receiver) }
            @{ match = 'DescribeAlarms'; status = 400; body = (New-AwsQueryError -Code RequestLimitExceeded) }
            @{ match = 'DescribeAlarms'; status = 429; body = '' }
            @{ match = 'DescribeAlarms'; status = 400; body = (New-AwsQueryError -Code Throttling) })
        { Get-EcommerceAlarm -EndpointUrl $proxy.Url } | Should -Not -Throw
        @(Get-AwsProxyRequest $proxy | Where-Object op -eq 'DescribeAlarms').Count | Should -Be 5
        $retry = @(Get-Retries)
        $retry.error | Should -Be @('SlowDown', 'RequestLimitExceeded', 'Throttling', 'Throttling')
        $retry.capMs | Should -Be @(10, 20, 40, 80)
        $retry | ForEach-Object { $_.delayMs | Should -BeLessOrEqual $_.capMs }
        $retry[0].maxMs | Should -Be 200
    }

    It 'gives up after five attempts with the service''s error' {
        $env:ECOM_AWS_RETRY_BASE_MS = '10'
        Set-AwsProxyRule $proxy @(@{ match = 'DescribeAlarms'; times = 50; status = 400; body = (New-AwsQueryError -Code Throttling -Message 'Rate exceeded') })
        $err = try { Get-EcommerceAlarm -EndpointUrl $proxy.Url; $null } catch { $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'Aws.Throttling*'
        @(Get-AwsProxyRequest $proxy).Count | Should -Be 5
    }
}

Describe 'CloudFront answers after a lost response' -Tag Integration {
    BeforeEach {
        $env:ECOM_AWS_RETRY_BASE_MS = '10'
        $script:bucket = New-TestName 'cfretry'
        $script:buckets.Add($bucket)
        New-AssetBucket -BucketName $bucket -Confirm:$false -WarningAction SilentlyContinue | Out-Null
    }
    AfterEach { Set-RetryBase $suiteBase }

    It 'a retried CreateOriginAccessControl meeting OriginAccessControlAlreadyExists finds the OAC by name' {
        # The first create lands but its answer is lost (503); the retry is told the name is taken.
        Set-AwsProxyRule $proxy @(
            @{ match = 'POST /2020-05-31/origin-access-control$'; forward = $true; status = 503; body = (New-AwsQueryError -Code ServiceUnavailable -Type Receiver) }
            @{ match = 'POST /2020-05-31/origin-access-control$'; status = 409; body = (New-AwsQueryError -Code OriginAccessControlAlreadyExists -Message 'An origin access control with the specified parameters already exists.') })
        $cdn = New-AssetCdn -BucketName $bucket -EndpointUrl $proxy.Url -Confirm:$false -WarningAction SilentlyContinue
        $oacs = @((Invoke-AwsCli cloudfront list-origin-access-controls).OriginAccessControlList.Items | Where-Object Name -eq $bucket)
        $oacs.Count | Should -Be 1 -Because 'the lost create made it, and no second one was made'
        $cdn.OriginAccessControlId | Should -Be $oacs[0].Id
        @(Get-AwsProxyRequest $proxy | Where-Object { $_.method -eq 'POST' -and $_.path -like '*/origin-access-control' }).Count | Should -Be 2
    }

    It 'a CallerReference CloudFront still remembers from a deleted distribution gets a fresh suffix' {
        Set-AwsProxyRule $proxy @(@{
                match = 'POST /2020-05-31/distribution$'; times = 1; status = 409
                body = (New-AwsQueryError -Code DistributionAlreadyExists -Message 'The caller reference that you are using to create a distribution is associated with another distribution. Already exists: E1DELETED0000X')
            })
        $cdn = New-AssetCdn -BucketName $bucket -EndpointUrl $proxy.Url -Confirm:$false -WarningAction SilentlyContinue
        $cdn.DistributionId | Should -Not -Be 'E1DELETED0000X'
        $config = (Invoke-AwsCli cloudfront get-distribution-config --id $cdn.DistributionId).DistributionConfig
        $config.CallerReference | Should -Match ("^ecommerceaws-" + [regex]::Escape($bucket) + "-\d{14}-[0-9a-f]{6}$")
        @(Get-AwsProxyRequest $proxy | Where-Object { $_.method -eq 'POST' -and $_.path -eq '/2020-05-31/distribution?WithTags' }).Count | Should -Be 2
        # and a re-run finds it by its origin, whatever its reference
        (New-AssetCdn -BucketName $bucket -Confirm:$false -WarningAction SilentlyContinue).DistributionId | Should -Be $cdn.DistributionId
    }
}
