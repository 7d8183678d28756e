# Every partition, not just aws: endpoints, signing regions and ARNs are built from the region's partition
# (cn-north-1 -> aws-cn, *.amazonaws.com.cn, arn:aws-cn:; us-gov-west-1 -> aws-us-gov, arn:aws-us-gov:). CloudFront is its
# own service in China (cloudfront.cn-northwest-1.amazonaws.com.cn, no origin access control) and absent from GovCloud:
# what it lacks is refused before any call. The requests are checked by tests/Fixtures/wire_shape_check.py against
# botocore's partition and endpoint data, as they are sent to moto and, without an endpoint override, to the real hosts
# (through a recording proxy that refuses every tunnel, so nothing leaves the machine).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../TestServices.psm1') -Force
    Import-EcommerceAws
    $script:checker = Join-Path $PSScriptRoot '../Fixtures/wire_shape_check.py'
    $script:account = '123456789012'
    $logDir = if ($env:ECOM_REPO_ROOT) { Join-Path $env:ECOM_REPO_ROOT 'out/logs' } else { [System.IO.Path]::GetTempPath() }
    New-Item -ItemType Directory -Force $logDir | Out-Null
    $script:logDir = $logDir
    $script:log = Join-Path $logDir "partition-requests-$([guid]::NewGuid().ToString('N').Substring(0, 8)).jsonl"
    $env:ECOM_AWS_REQUEST_LOG = $script:log

    function Invoke-AwsCliIn {
        # The independent client, in one region.
        param([string] $Region, [Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
        $env:AWS_MAX_ATTEMPTS = '1'; $env:AWS_PAGER = ''
        $output = & /usr/bin/aws --endpoint-url $env:AWS_ENDPOINT_URL --region $Region --output json @Arguments 2>&1
        if ($LASTEXITCODE -ne 0) { throw "aws $($Arguments -join ' ') --region $Region failed: $($output -join "`n")" }
        $text = ($output | ForEach-Object { "$_" }) -join "`n"
        if ($text.Trim()) { $text | ConvertFrom-Json -Depth 30 }
    }
    function Get-Logged {
        if (-not (Test-Path $script:log)) { return @() }
        @(Get-Content $script:log | ForEach-Object { $_ | ConvertFrom-Json } | Where-Object { -not $_.PSObject.Properties['event'] })
    }
    function Invoke-WireLogCheck([string] $Path) {
        $output = & python3 $script:checker aws-log $Path 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Lines = @($output | ForEach-Object { "$_" }) }
    }
    function New-RegionBucket([string] $Region) {
        # Made with the CLI: this file is about ARNs and endpoints, not about bucket creation.
        $name = New-TestName 'part'
        Invoke-AwsCliIn $Region s3api create-bucket --bucket $name --create-bucket-configuration "LocationConstraint=$Region" | Out-Null
        $name
    }
}

AfterAll {
    Remove-Item Env:ECOM_AWS_REQUEST_LOG -ErrorAction SilentlyContinue
}

Describe 'China (cn-north-1, partition aws-cn)' -Tag Integration {
    BeforeAll {
        $script:cn = 'cn-north-1'
        $script:cnName = New-TestName 'cn'
        $script:cnBucket = "$cnName-assets"
        Invoke-AwsCliIn $cn s3api create-bucket --bucket $cnBucket --create-bucket-configuration "LocationConstraint=$cn" | Out-Null
    }

    It 'refuses New-AssetCdn and New-EcommerceStack with a CDN before any call (no origin access control in CloudFront China)' {
        $before = @(Get-Logged).Count
        Get-ErrorId { New-AssetCdn -BucketName $cnBucket -Region $cn -Confirm:$false } | Should -BeLike 'CdnOriginAccessControlNotInPartition,*'
        $refused = Get-ErrorId { New-EcommerceStack -Name $cnName -Region $cn -Confirm:$false }
        $refused | Should -BeLike 'CdnOriginAccessControlNotInPartition,*'
        @(Get-Logged).Count | Should -Be $before
        (Invoke-AwsCliIn $cn dynamodb list-tables).TableNames | Should -Not -Contain $cnName -Because 'nothing is created before the refusal'
        try { New-EcommerceStack -Name $cnName -Region $cn -Confirm:$false -ErrorAction Stop } catch { $message = $_.Exception.Message; $advice = $_.ErrorDetails.RecommendedAction }
        $message | Should -Match 'aws-cn'
        "$message $advice" | Should -Match '-SkipCdn'
    }

    It 'builds the stack without a CDN, with aws-cn ARNs and the amazonaws.com.cn bucket endpoint' {
        $script:cnStack = New-EcommerceStack -Name $cnName -Region $cn -SkipCdn -Confirm:$false -WarningAction SilentlyContinue
        $cnStack.Region | Should -Be $cn
        (Get-EcommerceTable -TableName $cnName -Region $cn).Arn | Should -BeLike "arn:aws-cn:dynamodb:$($cn):*:table/$cnName"
        $bucket = Get-AssetBucket -BucketName $cnBucket -Region $cn
        $bucket.Arn | Should -Be "arn:aws-cn:s3:::$cnBucket"
        $bucket.RegionalDomainName | Should -Be "$cnBucket.s3.$cn.amazonaws.com.cn"
    }

    It 'writes aws-cn ARNs into the bucket policy (-AllowPublicRead)' {
        New-AssetBucket -BucketName $cnBucket -Region $cn -AllowPublicRead -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        $policy = (Invoke-AwsCliIn $cn s3api get-bucket-policy --bucket $cnBucket).Policy | ConvertFrom-Json
        @($policy.Statement.Resource) | Should -Contain "arn:aws-cn:s3:::$cnBucket/*"
        $policy | ConvertTo-Json -Depth 10 | Should -Not -Match 'arn:aws:'
    }

    It 'creates alarms signed for cn-north-1 with an aws-cn SNS topic, and refuses a topic of another partition before writing' {
        $topic = "arn:aws-cn:sns:$($cn):$($account):shop-alerts"
        $alarms = @(New-EcommerceAlarm -TableName $cnName -Region $cn -SnsTopicArn $topic -Confirm:$false)
        $alarms.Count | Should -BeGreaterThan 0
        $alarms[0].Arn | Should -BeLike "arn:aws-cn:cloudwatch:$($cn):*"
        $put = @(Get-Logged | Where-Object { $_.service -eq 'monitoring' -and $_.action -eq 'PutMetricAlarm' -and $_.signingRegion -eq $cn })
        $put.Count | Should -Be $alarms.Count
        $before = @(Get-Logged | Where-Object action -EQ 'PutMetricAlarm').Count
        Get-ErrorId { New-EcommerceAlarm -TableName $cnName -Region $cn -SnsTopicArn "arn:aws:sns:us-east-1:$($account):shop-alerts" -Confirm:$false } |
            Should -BeLike 'SnsTopicArnWrongPartition,*'
        @(Get-Logged | Where-Object action -EQ 'PutMetricAlarm').Count | Should -Be $before
        Remove-EcommerceAlarm -TableName $cnName -Region $cn -Confirm:$false
    }

    It 'reads, invalidates and removes a China distribution through cloudfront.cn-northwest-1, with aws-cn ARNs and no origin access control calls' {
        # A distribution made outside the module (New-AssetCdn refuses in China), on the bucket's REST endpoint.
        $origin = "$cnBucket.s3.$cn.amazonaws.com.cn"
        $id = (Invoke-AwsCliIn $cn cloudfront create-distribution --origin-domain-name $origin).Distribution.Id
        $before = @(Get-Logged).Count
        $cdn = Get-AssetCdn -BucketName $cnBucket -Region $cn
        $cdn.DistributionId | Should -Be $id
        $cdn.Arn | Should -Be "arn:aws-cn:cloudfront::$($account):distribution/$id"
        (Get-EcommerceStack -Name $cnName -Region $cn -WarningAction SilentlyContinue).DistributionId | Should -Be $id
        Clear-AssetCdnCache -DistributionId $id -Region $cn -Path '/products/*' -Confirm:$false | Out-Null
        Remove-AssetCdn -DistributionId $id -Region $cn -Confirm:$false | Out-Null
        $calls = @(Get-Logged | Select-Object -Skip $before | Where-Object service -EQ 'cloudfront')
        $calls.Count | Should -BeGreaterThan 3
        $calls.signingRegion | Sort-Object -Unique | Should -Be 'cn-northwest-1'
        @($calls | Where-Object { $_.uri -match 'origin-access-control' }) | Should -BeNullOrEmpty
        @($calls | Where-Object { $_.method -eq 'POST' -and $_.uri -match 'invalidation' }).Count | Should -Be 1
    }

    AfterAll {
        Remove-EcommerceStack -Name $script:cnName -Region $script:cn -Force -Confirm:$false -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
    }
}

Describe 'GovCloud (us-gov-west-1, partition aws-us-gov)' -Tag Integration {
    BeforeAll {
        $script:gov = 'us-gov-west-1'
        $script:govName = New-TestName 'gov'
        Invoke-AwsCliIn $gov s3api create-bucket --bucket "$govName-assets" --create-bucket-configuration "LocationConstraint=$gov" | Out-Null
    }

    It 'refuses every CloudFront cmdlet before any call (<Name>)' -ForEach @(
        @{ Name = 'New-AssetCdn'; Call = { New-AssetCdn -BucketName "$govName-assets" -Region $gov -Confirm:$false } }
        @{ Name = 'Get-AssetCdn'; Call = { Get-AssetCdn -DistributionId E2QWRUHAPOMQZL -Region $gov } }
        @{ Name = 'Clear-AssetCdnCache'; Call = { Clear-AssetCdnCache -DistributionId E2QWRUHAPOMQZL -Region $gov -Path '/*' -Confirm:$false } }
        @{ Name = 'Remove-AssetCdn'; Call = { Remove-AssetCdn -DistributionId E2QWRUHAPOMQZL -Region $gov -Confirm:$false } }
        @{ Name = 'New-EcommerceStack'; Call = { New-EcommerceStack -Name $govName -Region $gov -Confirm:$false } }
    ) {
        $before = @(Get-Logged).Count
        Get-ErrorId $Call | Should -BeLike 'CloudFrontNotInPartition,*'
        @(Get-Logged).Count | Should -Be $before
    }

    It 'builds and reports the stack without a CDN, with aws-us-gov ARNs' {
        $stack = New-EcommerceStack -Name $govName -Region $gov -SkipCdn -Confirm:$false -WarningAction SilentlyContinue
        $stack.Region | Should -Be $gov
        $found = Get-EcommerceStack -Name $govName -Region $gov -WarningAction SilentlyContinue
        $found.DistributionId | Should -BeNullOrEmpty
        $found.TableName | Should -Be $govName
        (Get-AssetBucket -BucketName "$govName-assets" -Region $gov).Arn | Should -Be "arn:aws-us-gov:s3:::$govName-assets"
        $alarms = @(New-EcommerceAlarm -TableName $govName -Region $gov -SnsTopicArn "arn:aws-us-gov:sns:$($gov):$($account):ops" -Confirm:$false)
        $alarms[0].Arn | Should -BeLike "arn:aws-us-gov:cloudwatch:$($gov):*"
        Remove-EcommerceAlarm -TableName $govName -Region $gov -Confirm:$false
        Remove-EcommerceStack -Name $govName -Region $gov -Force -WhatIf
    }

    AfterAll {
        Remove-EcommerceStack -Name $script:govName -Region $script:gov -Force -Confirm:$false -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
    }
}

Describe 'wire_shape_check.py on the requests logged for cn-north-1 and us-gov-west-1' -Tag Integration {
    It 'finds every logged request well-formed, signed for its partition, and with ARNs of that partition only' {
        $logged = @(Get-Logged)
        @($logged | Where-Object signingRegion -EQ 'cn-north-1').Count | Should -BeGreaterThan 0
        @($logged | Where-Object signingRegion -EQ 'cn-northwest-1').Count | Should -BeGreaterThan 0
        @($logged | Where-Object signingRegion -EQ 'us-gov-west-1').Count | Should -BeGreaterThan 0
        $check = Invoke-WireLogCheck $script:log
        $check.Lines -match '^ERROR' | Should -BeNullOrEmpty
        $check.ExitCode | Should -Be 0
    }

    It 'fails a request signed for the wrong region, sent to the wrong host, or carrying another partition''s ARN (the referee can fail)' {
        $bad = Join-Path $TestDrive 'bad.jsonl'
        @(
            @{ service = 'cloudfront'; signingRegion = 'cn-north-1'; method = 'GET'; uri = 'https://cloudfront.cn-northwest-1.amazonaws.com.cn/2020-05-31/distribution'; body = $null }
            @{ service = 'monitoring'; signingRegion = 'cn-north-1'; method = 'POST'; uri = 'https://monitoring.cn-north-1.amazonaws.com/'; action = 'PutMetricAlarm'
               body = 'Action=PutMetricAlarm&Version=2010-08-01&AlarmName=a&AlarmActions.member.1=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Ax' }
            @{ service = 'cloudfront'; signingRegion = 'us-gov-west-1'; method = 'GET'; uri = 'http://127.0.0.1:5000/2020-05-31/distribution'; body = $null }
        ) | ForEach-Object { $_ | ConvertTo-Json -Compress } | Set-Content $bad
        $check = Invoke-WireLogCheck $bad
        $check.ExitCode | Should -Be 1
        ($check.Lines -match 'signed for cn-north-1, but cloudfront in aws-cn is signed for cn-northwest-1').Count | Should -Be 1
        ($check.Lines -match 'host monitoring.cn-north-1.amazonaws.com, but monitoring in cn-north-1 \(aws-cn\) is monitoring.cn-north-1.amazonaws.com.cn').Count | Should -Be 1
        ($check.Lines -match 'an ARN of partition aws in a request signed for cn-north-1').Count | Should -Be 1
        ($check.Lines -match 'cloudfront is not available in the aws-us-gov partition').Count | Should -Be 1
    }
}

Describe 'The real endpoints of each partition (no endpoint override; a recording proxy refuses every tunnel)' -Tag Integration {
    BeforeAll {
        $port = Get-FreePort
        $script:connects = Join-Path $TestDrive 'connects.log'
        $script:proxy = Start-Process -FilePath python3 -ArgumentList @((Join-Path $PSScriptRoot '../Fixtures/connect_recorder.py'), "$port", $script:connects) -PassThru `
            -RedirectStandardOutput (Join-Path $TestDrive 'proxy.out') -RedirectStandardError (Join-Path $TestDrive 'proxy.err')
        Wait-TcpPort -Port $port -Process $script:proxy
        $script:realLog = Join-Path $script:logDir "partition-real-endpoints-$([guid]::NewGuid().ToString('N').Substring(0, 8)).jsonl"
        $module = if ($env:ECOM_MODULE_PATH) { $env:ECOM_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/EcommerceAws' }
        # A fresh process: .NET reads HTTPS_PROXY once per process. Every call fails at the proxy (AwsEndpointUnreachable).
        $telemetry = $env:POWERSHELL_TELEMETRY_OPTOUT
        $env:POWERSHELL_TELEMETRY_OPTOUT = '1'   # read at start: the fresh pwsh sends no telemetry through the proxy
        $script:run = Invoke-FreshPwsh @"
Remove-Item Env:AWS_ENDPOINT_URL -ErrorAction SilentlyContinue
`$env:HTTPS_PROXY = 'http://127.0.0.1:$port'; `$env:HTTP_PROXY = 'http://127.0.0.1:$port'; `$env:NO_PROXY = ''
`$env:ECOM_AWS_REQUEST_LOG = '$($script:realLog)'
`$env:ECOM_AWS_RETRY_BASE_MS = '1'
Import-Module '$module'
foreach (`$call in { Get-CacheCluster -CacheClusterId shop-redis -Region cn-north-1 },
                   { Get-EcommerceAlarm -TableName shop -Region us-gov-west-1 },
                   { Clear-AssetCdnCache -DistributionId E2QWRUHAPOMQZL -Path '/*' -Region cn-north-1 -Confirm:`$false },
                   { Get-EcommerceAlarm -TableName shop -Region af-south-1 },
                   { Get-AssetBucket -BucketName shop-assets -Region cn-north-1 }) {
    try { & `$call -ErrorAction Stop | Out-Null; 'no error' } catch { `$_.FullyQualifiedErrorId }
}
"@
        if ($null -eq $telemetry) { Remove-Item Env:POWERSHELL_TELEMETRY_OPTOUT } else { $env:POWERSHELL_TELEMETRY_OPTOUT = $telemetry }
        $script:realRequests = @(if (Test-Path $script:realLog) { Get-Content $script:realLog | ForEach-Object { $_ | ConvertFrom-Json } | Where-Object { -not $_.PSObject.Properties['event'] } })
    }
    AfterAll {
        if ($script:proxy) { Stop-ProcessTree $script:proxy }
    }

    It 'sends each hand-written client to its partition''s host, signed for the right region' {
        $script:run.Output | Should -Not -Contain 'no error'
        $byHost = @{}
        foreach ($request in $script:realRequests) { $byHost[([uri]$request.uri).Host] = $request.signingRegion }
        $byHost['elasticache.cn-north-1.amazonaws.com.cn'] | Should -Be 'cn-north-1'
        $byHost['monitoring.us-gov-west-1.amazonaws.com'] | Should -Be 'us-gov-west-1'
        $byHost['cloudfront.cn-northwest-1.amazonaws.com.cn'] | Should -Be 'cn-northwest-1'
        $byHost['monitoring.af-south-1.amazonaws.com'] | Should -Be 'af-south-1'
        $check = Invoke-WireLogCheck $script:realLog
        $check.Lines -match '^ERROR' | Should -BeNullOrEmpty
        $check.ExitCode | Should -Be 0
    }

    It 'connects to those hosts (and the SDK clients to their own partition''s hosts), to no other AWS host' {
        $targets = @(Get-Content $script:connects | Where-Object { $_ -match '^CONNECT (\S+):443 ' } | ForEach-Object { ($_ -split ' ')[1] -replace ':443$', '' } | Sort-Object -Unique)
        $targets | Should -Contain 'elasticache.cn-north-1.amazonaws.com.cn'
        $targets | Should -Contain 'monitoring.us-gov-west-1.amazonaws.com'
        $targets | Should -Contain 'cloudfront.cn-northwest-1.amazonaws.com.cn'
        $targets | Should -Contain 'monitoring.af-south-1.amazonaws.com'
        @($targets | Where-Object { $_ -match '(^|\.)s3\.cn-north-1\.amazonaws\.com\.cn$' }).Count | Should -BeGreaterThan 0 -Because 'the S3 client goes to the China S3 endpoint'
        # (pwsh itself may try its telemetry host through the proxy: only the AWS hosts are ours to judge)
        foreach ($target in $targets | Where-Object { $_ -match 'amazon|aws' }) { $target | Should -Match '\.amazonaws\.com(\.cn)?$' }
        @($targets | Where-Object { $_ -like 'cloudfront.amazonaws.com' }) | Should -BeNullOrEmpty -Because 'China never goes to the global CloudFront'
    }
}
