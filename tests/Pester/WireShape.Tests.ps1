# The requests our hand-written AWS clients send, checked against the botocore service models.
# moto is lenient (any element order, unknown Query parameters ignored); real CloudFront validates against an
# ordered schema and real Query services reject misnamed parameters. tests/Fixtures/wire_shape_check.py is the referee.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-EcommerceAws
    $script:checker = Join-Path $PSScriptRoot '../Fixtures/wire_shape_check.py'
    # Kept under out/logs after the run (next to the moto log) so a failure can be read and re-checked by hand.
    $logDir = if ($env:ECOM_REPO_ROOT) { Join-Path $env:ECOM_REPO_ROOT 'out/logs' } else { [System.IO.Path]::GetTempPath() }
    New-Item -ItemType Directory -Force $logDir | Out-Null
    $run = [guid]::NewGuid().ToString('N').Substring(0, 8)
    $script:awsLog = Join-Path $logDir "wire-aws-requests-$run.jsonl"
    $script:cfLog = Join-Path $logDir "wire-cloudfront-requests-$run.log"
    $env:ECOM_AWS_REQUEST_LOG = $script:awsLog
    $env:ECOM_CLOUDFRONT_REQUEST_LOG = $script:cfLog
    $script:buckets = [System.Collections.Generic.List[string]]::new()
    $script:caches = [System.Collections.Generic.List[string]]::new()
    $script:alarmPrefixes = [System.Collections.Generic.List[string]]::new()
    $script:token = 'wire-check-token-0123456789'

    function Invoke-WireCheck {
        # Runs the checker; returns its exit code and output lines.
        param([Parameter(Mandatory)] [string[]] $Arguments, [string] $InputText)
        $output = if ($PSBoundParameters.ContainsKey('InputText')) { $InputText | & python3 $script:checker @Arguments 2>&1 }
                  else { & python3 $script:checker @Arguments 2>&1 }
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Lines = @($output | ForEach-Object { "$_" }) }
    }
    function Get-LoggedRequest([string] $Service) {
        # Requests only: the transport also logs events (retries, clock corrections) with an "event" member.
        @(Get-Content $script:awsLog | ForEach-Object { $_ | ConvertFrom-Json } |
            Where-Object { $_.service -eq $Service -and -not $_.PSObject.Properties['event'] })
    }
}

AfterAll {
    foreach ($prefix in $script:alarmPrefixes) {
        $names = @((Invoke-AwsCli cloudwatch describe-alarms --alarm-name-prefix $prefix).MetricAlarms | ForEach-Object AlarmName)
        if ($names.Count -gt 0) { Invoke-AwsCli cloudwatch delete-alarms --alarm-names @names | Out-Null }
    }
    foreach ($id in $script:caches) { try { Remove-CacheCluster -CacheClusterId $id -Confirm:$false -NoWait -WarningAction SilentlyContinue } catch { } }
    foreach ($bucket in $script:buckets) {
        if (Test-AwsCli s3api head-bucket --bucket $bucket) { Remove-AssetBucket -BucketName $bucket -Force -Confirm:$false -ErrorAction SilentlyContinue }
    }
    Remove-Item Env:ECOM_AWS_REQUEST_LOG, Env:ECOM_CLOUDFRONT_REQUEST_LOG -ErrorAction SilentlyContinue
}

Describe 'wire_shape_check.py (the referee itself)' -Tag Unit {
    It 'accepts well-formed requests' {
        $cf = '<?xml version="1.0" encoding="UTF-8"?><InvalidationBatch xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Paths><Quantity>1</Quantity><Items><Path>/a</Path></Items></Paths><CallerReference>r1</CallerReference></InvalidationBatch>'
        (Invoke-WireCheck 'cloudfront-xml', 'CreateInvalidation', '-' -InputText $cf).ExitCode | Should -Be 0
        $ec = 'Action=CreateCacheCluster&Version=2015-02-02&CacheClusterId=c1&SecurityGroupIds.SecurityGroupId.1=sg-1&Tags.Tag.1.Key=k&Tags.Tag.1.Value=v'
        (Invoke-WireCheck 'query', 'elasticache', '-' -InputText $ec).ExitCode | Should -Be 0
        $cw = 'Action=PutMetricAlarm&Version=2010-08-01&AlarmName=a&Dimensions.member.1.Name=N&Dimensions.member.1.Value=V&Tags.member.1.Key=k&Tags.member.1.Value=v'
        (Invoke-WireCheck 'query', 'cloudwatch', '-' -InputText $cw).ExitCode | Should -Be 0
    }

    It 'fails on CloudFront elements out of schema order, a missing required member, a wrong Quantity, an unknown element' {
        $bad = '<?xml version="1.0" encoding="UTF-8"?><InvalidationBatch xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><CallerReference>r1</CallerReference><Paths><Quantity>2</Quantity><Items><Path>/a</Path></Items><Extra/></Paths></InvalidationBatch>'
        $result = Invoke-WireCheck 'cloudfront-xml', 'CreateInvalidation', '-' -InputText $bad
        $result.ExitCode | Should -Be 1
        $result.Lines | Should -Contain 'ERROR cloudfront CreateInvalidation: /InvalidationBatch/Paths: out of order or repeated (after CallerReference; InvalidationBatch order: Paths, CallerReference)'
        ($result.Lines -match 'Quantity 2 but 1 Items').Count | Should -Be 1
        ($result.Lines -match '/InvalidationBatch/Paths/Extra: unknown element').Count | Should -Be 1
        $noOrigins = '<?xml version="1.0"?><OriginAccessControlConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Name>n</Name><SigningBehavior>always</SigningBehavior><SigningProtocol>sigv4</SigningProtocol><OriginAccessControlOriginType>s3</OriginAccessControlOriginType></OriginAccessControlConfig>'
        $result = Invoke-WireCheck 'cloudfront-xml', 'CreateOriginAccessControl', '-' -InputText $noOrigins
        $result.ExitCode | Should -Be 1
        ($result.Lines -match 'SigningProtocol: out of order').Count | Should -Be 1
        $wrongNs = '<?xml version="1.0"?><InvalidationBatch><Paths><Quantity>0</Quantity></Paths></InvalidationBatch>'
        $result = Invoke-WireCheck 'cloudfront-xml', 'CreateInvalidation', '-' -InputText $wrongNs
        ($result.Lines -match "namespace '', expected 'http://cloudfront.amazonaws.com/doc/2020-05-31/'").Count | Should -BeGreaterThan 0
        ($result.Lines -match 'required member CallerReference missing').Count | Should -Be 1
        $badTag = '<?xml version="1.0"?><DistributionConfigWithTags xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Tags><Items><Tag><Key>a#b</Key></Tag></Items></Tags></DistributionConfigWithTags>'
        $result = Invoke-WireCheck 'cloudfront-xml', 'CreateDistributionWithTags', '-' -InputText $badTag
        ($result.Lines -match "/Tags/Items/Tag\[1\]/Key: 'a#b' does not match the pattern").Count | Should -Be 1
        ($result.Lines -match 'required member DistributionConfig missing').Count | Should -Be 1
    }

    It 'fails on misnamed or misindexed Query parameters and missing required ones' {
        $ec = 'Action=CreateCacheCluster&Version=2015-02-02&SecurityGroupIds.member.1=sg-1&Tags.member.1.Key=k'
        $result = Invoke-WireCheck 'query', 'elasticache', '-' -InputText $ec
        $result.ExitCode | Should -Be 1
        ($result.Lines -match 'SecurityGroupIds.member.1: list SecurityGroupIdsList items are SecurityGroupIds.SecurityGroupId.N').Count | Should -Be 1
        ($result.Lines -match 'Tags.member.1.Key: list TagList items are Tags.Tag.N').Count | Should -Be 1
        ($result.Lines -match 'required member CacheClusterId missing').Count | Should -Be 1
        $cw = 'Action=PutMetricAlarm&Version=2010-08-01&AlarmName=a&Dimensions.Dimension.1.Name=N&Tags.member.2.Key=k&Tags.member.2.Value=v&Period=five&Unknown=1'
        $result = Invoke-WireCheck 'query', 'cloudwatch', '-' -InputText $cw
        $result.ExitCode | Should -Be 1
        ($result.Lines -match 'Dimensions items are Dimensions.member.N').Count | Should -Be 1
        ($result.Lines -match 'Tags.member: list indexes must run 1..N').Count | Should -Be 1
        ($result.Lines -match "Period: integer expected, got 'five'").Count | Should -Be 1
        ($result.Lines -match "unknown parameter 'Unknown'").Count | Should -Be 1
        (Invoke-WireCheck 'query', 'cloudwatch', '-' -InputText 'Action=PutMetricAlarm&Version=2009-01-01&AlarmName=a').Lines -match "Version '2009-01-01'" |
            Should -Not -BeNullOrEmpty
    }
}

Describe 'what our clients send (captured while running the cmdlets against moto)' -Tag Integration {
    BeforeAll {
        # CloudFront: New-AssetCdn (OAC + distribution with tags), a second one with aliases and an ACM certificate,
        # Clear-AssetCdnCache, Remove-AssetCdn (disable = UpdateDistribution, then DeleteDistribution).
        $bucket = New-TestName 'wire'; $script:buckets.Add($bucket)
        New-AssetBucket -BucketName $bucket -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        $cdn = New-AssetCdn -BucketName $bucket -Tag @{ Project = 'shop'; Team = 'web' } -Comment 'wire check' -Confirm:$false
        Clear-AssetCdnCache -DistributionId $cdn.DistributionId -Path '/images/products/*', '/index.json' -Confirm:$false | Out-Null
        Remove-AssetCdn -DistributionId $cdn.DistributionId -Confirm:$false | Out-Null
        $bucket2 = New-TestName 'wire'; $script:buckets.Add($bucket2)
        New-AssetBucket -BucketName $bucket2 -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        $cdn2 = New-AssetCdn -BucketName $bucket2 -PriceClass PriceClass_200 -Alias "$bucket2.shop.cm" `
            -AcmCertificateArn 'arn:aws:acm:us-east-1:123456789012:certificate/0c1e2d3f-1234-5678-9abc-def012345678' -Confirm:$false
        Remove-AssetCdn -DistributionId $cdn2.DistributionId -Confirm:$false | Out-Null

        # ElastiCache: both provisioned modes with security groups and tags (and an AUTH token), describe, delete.
        $single = New-TestName 'wire'; $script:caches.Add($single)
        $group = New-TestName 'wire'; $script:caches.Add($group)
        New-CacheCluster -CacheClusterId $single -SecurityGroupId 'sg-0123456789abcdef0', 'sg-89abcdef' -Tag @{ Project = 'shop' } `
            -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        New-CacheCluster -CacheClusterId $group -Mode ReplicationGroup -ReplicaCount 1 -SecurityGroupId 'sg-0123456789abcdef0' `
            -AuthToken (ConvertTo-SecureString $script:token -AsPlainText -Force) -Tag @{ Project = 'shop' } `
            -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        Get-CacheCluster -CacheClusterId $single, $group -WarningAction SilentlyContinue | Out-Null
        Remove-CacheCluster -CacheClusterId $single -Confirm:$false -NoWait -WarningAction SilentlyContinue | Out-Null
        Remove-CacheCluster -CacheClusterId $group -Confirm:$false -NoWait -WarningAction SilentlyContinue | Out-Null

        # CloudWatch: alarms with dimensions, SNS actions and tags; describe; delete.
        $base = New-TestName 'wire'
        $alarmBucket = "$base-assets"
        Invoke-AwsCli s3api create-bucket --bucket $alarmBucket | Out-Null
        $script:buckets.Add($alarmBucket)
        $script:alarmPrefixes.Add("ecommerce-$base")
        $script:alarmCount = @(New-EcommerceAlarm -TableName $base -BucketName $alarmBucket -CacheClusterId "$base-redis" -LambdaFunctionName "$base-api" `
            -SnsTopicArn 'arn:aws:sns:us-east-1:123456789012:shop-alerts' -Tag @{ Project = 'shop' } -Confirm:$false).Count
        Get-EcommerceAlarm -TableName $base | Out-Null
        Remove-EcommerceAlarm -TableName $base -BucketName $alarmBucket -CacheClusterId "$base-redis" -LambdaFunctionName "$base-api" -Confirm:$false

        $script:awsCheck = Invoke-WireCheck 'aws-log', $script:awsLog
        $script:cfCheck = Invoke-WireCheck 'cloudfront-log', $script:cfLog
        # "OK svc Op" / "ERROR svc Op: problem" → per operation
        $script:byOperation = @{}
        foreach ($line in $script:awsCheck.Lines) {
            if ($line -match '^(OK|ERROR) (\S+) ([^:\s]+)(?::\s*(.*))?$') {
                $key = "$($Matches[2]) $($Matches[3])"
                if (-not $script:byOperation.ContainsKey($key)) { $script:byOperation[$key] = [System.Collections.Generic.List[string]]::new() }
                if ($Matches[1] -eq 'ERROR') { $script:byOperation[$key].Add($Matches[4]) }
            }
        }
    }

    It 'sent <Operation> in the shape the <Service> model describes' -ForEach @(
        @{ Service = 'cloudfront'; Operation = 'CreateOriginAccessControl' }
        @{ Service = 'cloudfront'; Operation = 'CreateDistributionWithTags' }
        @{ Service = 'cloudfront'; Operation = 'CreateInvalidation' }
        @{ Service = 'cloudfront'; Operation = 'UpdateDistribution' }
        @{ Service = 'cloudfront'; Operation = 'DeleteDistribution' }
        @{ Service = 'cloudfront'; Operation = 'GetDistribution' }
        @{ Service = 'elasticache'; Operation = 'CreateCacheCluster' }
        @{ Service = 'elasticache'; Operation = 'CreateReplicationGroup' }
        @{ Service = 'elasticache'; Operation = 'DescribeCacheClusters' }
        @{ Service = 'elasticache'; Operation = 'DescribeReplicationGroups' }
        @{ Service = 'elasticache'; Operation = 'DeleteCacheCluster' }
        @{ Service = 'elasticache'; Operation = 'DeleteReplicationGroup' }
        @{ Service = 'cloudwatch'; Operation = 'PutMetricAlarm' }
        @{ Service = 'cloudwatch'; Operation = 'DescribeAlarms' }
        @{ Service = 'cloudwatch'; Operation = 'DeleteAlarms' }
    ) {
        $script:byOperation.Keys | Should -Contain "$Service $Operation" -Because 'the scenario must have exercised it'
        $script:byOperation["$Service $Operation"] | Should -BeNullOrEmpty
    }

    It 'finds no problem in any captured request (checker exit code 0)' {
        $script:awsCheck.Lines -match '^ERROR' | Should -BeNullOrEmpty
        $script:awsCheck.ExitCode | Should -Be 0
        $script:cfCheck.Lines -match '^ERROR' | Should -BeNullOrEmpty
        $script:cfCheck.ExitCode | Should -Be 0
        $script:cfCheck.Lines[-1] | Should -Match '^[1-9]\d* request\(s\) checked, 0 with problems$'
        $script:alarmCount | Should -BeGreaterThan 0
    }

    It 'sent the payloads the scenario asked for (tags, security groups, dimensions, actions)' {
        $ec = Get-LoggedRequest 'elasticache'
        $create = @($ec | Where-Object action -EQ 'CreateCacheCluster')[0].body
        $create | Should -Match 'SecurityGroupIds\.SecurityGroupId\.2=sg-89abcdef'
        $create | Should -Match 'Tags\.Tag\.\d+\.Key=Project'
        $group = @($ec | Where-Object action -EQ 'CreateReplicationGroup')[0].body
        $group | Should -Match 'TransitEncryptionEnabled=true'
        $put = @(Get-LoggedRequest 'monitoring' | Where-Object action -EQ 'PutMetricAlarm')
        $put.Count | Should -Be $script:alarmCount
        ($put.body -match 'Dimensions\.member\.1\.Name=').Count | Should -Be $put.Count
        ($put.body -match 'AlarmActions\.member\.1=arn%3Aaws%3Asns').Count | Should -Be $put.Count
        ($put.body -match 'Tags\.member\.\d+\.Key=Project').Count | Should -Be $put.Count
    }

    It 'sends If-Match with the ETag on every CloudFront update and delete (real CloudFront requires it; moto does not)' {
        $changes = @(Get-LoggedRequest 'cloudfront' | Where-Object method -In 'PUT', 'DELETE')
        $changes.Count | Should -BeGreaterOrEqual 4
        foreach ($request in $changes) {
            $request.headers.PSObject.Properties.Name | Should -Contain 'If-Match' -Because "$($request.method) $($request.uri)"
            $request.headers.'If-Match' | Should -Match '^[A-Z0-9]+$'
        }
    }

    It 'never writes the AUTH token (or any auth header) to the request log' {
        $text = Get-Content -Raw $script:awsLog
        $text | Should -Not -Match ([regex]::Escape($script:token))
        $group = @(Get-LoggedRequest 'elasticache' | Where-Object action -EQ 'CreateReplicationGroup')[0]
        $group.body | Should -Match '(^|&)AuthToken=REDACTED(&|$)'
        $text | Should -Not -Match 'AWS4-HMAC-SHA256'
    }
}
