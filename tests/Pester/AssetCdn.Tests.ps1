BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-EcommerceAws
    $script:buckets = [System.Collections.Generic.List[string]]::new()
    $script:requestLog = Join-Path ([System.IO.Path]::GetTempPath()) "cloudfront-requests-$([guid]::NewGuid().ToString('N')).log"
    $env:ECOM_CLOUDFRONT_REQUEST_LOG = $script:requestLog

    function New-Bucket([string] $Prefix = 'cdn') {
        $n = New-TestName $Prefix; $script:buckets.Add($n)
        New-AssetBucket -BucketName $n -Confirm:$false -WarningAction SilentlyContinue
    }
    function Get-BucketPolicy([string] $Bucket) { (Invoke-AwsCli s3api get-bucket-policy --bucket $Bucket).Policy | ConvertFrom-Json }
    function Get-DistributionsFor([string] $Bucket) {
        # moto lists summaries without origins: read each distribution's config
        $list = Invoke-AwsCli cloudfront list-distributions
        $items = if ($list -and $list.PSObject.Properties['DistributionList']) { $list.DistributionList.PSObject.Properties['Items'] }
        @(if ($items) { $items.Value | Where-Object {
            (Invoke-AwsCli cloudfront get-distribution-config --id $_.Id).DistributionConfig.Origins.Items.DomainName -like "$Bucket.s3.*" } })
    }
    # The request bodies our client sent, as XML documents (moto drops some members from its answers).
    function Get-SentXml([string] $Marker) {
        $text = Get-Content -Raw $script:requestLog
        foreach ($block in ($text -split '(?m)^### ')) {
            if ($block -match "^\S+ \S*$([regex]::Escape($Marker))") { [xml] ($block -replace '^[^\n]*\n', '') }
        }
    }
}

AfterAll {
    foreach ($bucket in $script:buckets) {
        foreach ($d in (Get-DistributionsFor $bucket)) { Remove-AssetCdn -DistributionId $d.Id -Confirm:$false -ErrorAction SilentlyContinue }
        if (Test-AwsCli s3api head-bucket --bucket $bucket) { Remove-AssetBucket -BucketName $bucket -Force -Confirm:$false -ErrorAction SilentlyContinue }
    }
    Remove-Item Env:ECOM_CLOUDFRONT_REQUEST_LOG -ErrorAction SilentlyContinue
    Remove-Item $script:requestLog -ErrorAction SilentlyContinue
}

Describe 'New-AssetCdn' -Tag Integration {
    Context 'bucket | New-AssetCdn' {
        BeforeAll {
            $bucketInfo = New-Bucket
            $bucket = $bucketInfo.BucketName
            # a statement somebody else wrote must survive our merge
            $keep = @{ Version = '2012-10-17'; Statement = @(@{ Sid = 'DenyInsecureTransport'; Effect = 'Deny'; Principal = '*'; Action = 's3:*'
                        Resource = @("arn:aws:s3:::$bucket", "arn:aws:s3:::$bucket/*"); Condition = @{ Bool = @{ 'aws:SecureTransport' = 'false' } } }) }
            Invoke-AwsCli s3api put-bucket-policy --bucket $bucket --policy ($keep | ConvertTo-Json -Depth 10 -Compress) | Out-Null
            $cdn = $bucketInfo | New-AssetCdn -Tag @{ Project = 'shop' } -Confirm:$false
            $config = (Invoke-AwsCli cloudfront get-distribution-config --id $cdn.DistributionId).DistributionConfig
        }

        It 'returns a typed, deployed AssetCdnInfo bound from the bucket in the pipeline' {
            $cdn | Should -BeOfType ([EcommerceAws.Output.AssetCdnInfo])
            $cdn.BucketName | Should -Be $bucket
            $cdn.Status | Should -Be 'Deployed'
            $cdn.DomainName | Should -BeLike '*.cloudfront.net'
            $cdn.Url | Should -Be "https://$($cdn.DomainName)"
            $cdn.Arn | Should -Be "arn:aws:cloudfront::123456789012:distribution/$($cdn.DistributionId)"
            $cdn.PriceClass | Should -Be 'PriceClass_All'
            $cdn.OriginAccessControlId | Should -Not -BeNullOrEmpty
            $cdn.AlreadyExisted | Should -BeFalse
        }

        It 'has the S3 REST origin, CachingOptimized and redirect-to-https (get-distribution-config)' {
            $config.Origins.Items[0].DomainName | Should -Be "$bucket.s3.us-east-1.amazonaws.com"
            $config.DefaultCacheBehavior.CachePolicyId | Should -Be '658327ea-f89d-4fab-a63d-7e88639e58f6'
            $config.DefaultCacheBehavior.ViewerProtocolPolicy | Should -Be 'redirect-to-https'
            $config.DefaultCacheBehavior.Compress | Should -BeTrue
            $config.DefaultCacheBehavior.AllowedMethods.Items | Sort-Object | Should -Be @('GET', 'HEAD')
            $config.HttpVersion | Should -Be 'http2and3'
            $config.IsIPV6Enabled | Should -BeTrue
            $config.PriceClass | Should -Be 'PriceClass_All'
            $config.Comment | Should -Be 'E-commerce Cameroon Assets CDN'
            $config.Enabled | Should -BeTrue
        }

        It 'sent the OAC id and an empty S3OriginConfig identity (checked on the request: moto drops both)' {
            $sent = @(Get-SentXml 'distribution?WithTags')
            $sent.Count | Should -Be 1
            $origin = $sent[0].DistributionConfigWithTags.DistributionConfig.Origins.Items.Origin
            $origin.OriginAccessControlId | Should -Be $cdn.OriginAccessControlId
            $origin.S3OriginConfig.OriginAccessIdentity | Should -Be ''
            $origin.DomainName | Should -Be "$bucket.s3.us-east-1.amazonaws.com"
            $sent[0].DistributionConfigWithTags.DistributionConfig.CallerReference | Should -Be "ecommerceaws-$bucket"
            ($sent[0].DistributionConfigWithTags.Tags.Items.Tag | Where-Object Key -eq 'ManagedBy').Value | Should -Be 'EcommerceAws'
            (Get-Content -Raw $script:requestLog) | Should -Not -Match 'testing|Signature|Authorization'
        }

        It 'created an S3 SigV4 always-sign Origin Access Control (get-origin-access-control)' {
            $oac = (Invoke-AwsCli cloudfront get-origin-access-control --id $cdn.OriginAccessControlId).OriginAccessControl.OriginAccessControlConfig
            $oac.Name | Should -Be $bucket
            $oac.SigningProtocol | Should -Be 'sigv4'
            $oac.SigningBehavior | Should -Be 'always'
            $oac.OriginAccessControlOriginType | Should -Be 's3'
        }

        It 'merged exactly one CloudFront statement for this distribution and kept the others (get-bucket-policy)' {
            $policy = Get-BucketPolicy $bucket
            $cloudFront = @($policy.Statement | Where-Object { $_.Principal -isnot [string] -and $_.Principal.PSObject.Properties['Service'] -and $_.Principal.Service -eq 'cloudfront.amazonaws.com' })
            $cloudFront.Count | Should -Be 1
            $cloudFront[0].Sid | Should -Be 'EcommerceAwsCloudFrontRead'
            $cloudFront[0].Action | Should -Be 's3:GetObject'
            $cloudFront[0].Resource | Should -Be "arn:aws:s3:::$bucket/*"
            $cloudFront[0].Condition.StringEquals.'AWS:SourceArn' | Should -Be $cdn.Arn
            @($policy.Statement | Where-Object Sid -eq 'DenyInsecureTransport').Count | Should -Be 1
            (Invoke-AwsCli s3api get-public-access-block --bucket $bucket).PublicAccessBlockConfiguration.BlockPublicPolicy | Should -BeTrue
        }

        It 'is idempotent: a second run returns the same distribution and list-distributions still has one' {
            $again = New-AssetCdn -BucketName $bucket -Confirm:$false
            $again.DistributionId | Should -Be $cdn.DistributionId
            $again.OriginAccessControlId | Should -Be $cdn.OriginAccessControlId
            $again.AlreadyExisted | Should -BeTrue
            @(Get-DistributionsFor $bucket).Count | Should -Be 1
            @((Invoke-AwsCli cloudfront list-origin-access-controls).OriginAccessControlList.Items | Where-Object Name -eq $bucket).Count | Should -Be 1
            @((Get-BucketPolicy $bucket).Statement | Where-Object Sid -eq 'EcommerceAwsCloudFrontRead').Count | Should -Be 1
        }

        It 'Get-AssetCdn finds it by bucket and by id' {
            (Get-AssetCdn -BucketName $bucket).DistributionId | Should -Be $cdn.DistributionId
            $byId = Get-AssetCdn -DistributionId $cdn.DistributionId
            $byId.BucketName | Should -Be $bucket
            $byId.Url | Should -Be $cdn.Url
        }

        It 'Clear-AssetCdnCache creates an invalidation and waits for it (get-invalidation)' {
            $inv = $cdn | Clear-AssetCdnCache -Path '/images/products/*', '/index.json' -Confirm:$false
            $inv | Should -BeOfType ([EcommerceAws.Output.CdnInvalidationInfo])
            $inv.DistributionId | Should -Be $cdn.DistributionId
            $inv.Status | Should -Be 'Completed'
            $seen = (Invoke-AwsCli cloudfront get-invalidation --distribution-id $cdn.DistributionId --id $inv.InvalidationId).Invalidation
            $seen.InvalidationBatch.Paths.Items | Sort-Object | Should -Be @('/images/products/*', '/index.json')
        }

        It 'Clear-AssetCdnCache waits for an InProgress invalidation by default; -NoWait returns it InProgress without looking again' {
            # moto completes invalidations at once: the scripted proxy answers CreateInvalidation InProgress, then Completed.
            $proxy = Start-AwsProxy
            try {
                $xml = { param($status) "<?xml version=`"1.0`"?><Invalidation xmlns=`"http://cloudfront.amazonaws.com/doc/2020-05-31/`"><Id>IPROXY1</Id><Status>$status</Status><CreateTime>2026-12-01T00:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/a/*</Path></Items></Paths><CallerReference>proxy</CallerReference></InvalidationBatch></Invalidation>" }
                $rules = @(
                    @{ match = 'POST /2020-05-31/distribution/[^/]+/invalidation$'; times = 1; status = 201; contentType = 'text/xml'; body = (& $xml 'InProgress') }
                    @{ match = 'GET /2020-05-31/distribution/[^/]+/invalidation/IPROXY1$'; times = 1; status = 200; contentType = 'text/xml'; body = (& $xml 'Completed') }
                )
                Set-AwsProxyRule $proxy $rules
                $quick = Clear-AssetCdnCache -DistributionId $cdn.DistributionId -Path '/a/*' -EndpointUrl $proxy.Url -NoWait -Confirm:$false
                $quick.Status | Should -Be 'InProgress'
                @(Get-AwsProxyRequest $proxy | Where-Object { $_.method -eq 'GET' -and $_.path -match '/invalidation/' }) | Should -BeNullOrEmpty

                Set-AwsProxyRule $proxy $rules
                $waited = Clear-AssetCdnCache -DistributionId $cdn.DistributionId -Path '/a/*' -EndpointUrl $proxy.Url -Confirm:$false -ProgressAction SilentlyContinue
                $waited.Status | Should -Be 'Completed'
                @(Get-AwsProxyRequest $proxy | Where-Object { $_.method -eq 'GET' -and $_.path -match '/invalidation/IPROXY1' }).Count | Should -Be 1
            }
            finally { Stop-AwsProxy $proxy }
        }

        It '-WhatIf on Clear-AssetCdnCache creates no invalidation' {
            $before = @((Invoke-AwsCli cloudfront list-invalidations --distribution-id $cdn.DistributionId).InvalidationList.Items).Count
            Clear-AssetCdnCache -DistributionId $cdn.DistributionId -WhatIf | Should -BeNullOrEmpty
            @((Invoke-AwsCli cloudfront list-invalidations --distribution-id $cdn.DistributionId).InvalidationList.Items).Count | Should -Be $before
        }
    }

    Context 'the public-policy guard' {
        It 'refuses to write a policy with a public statement while Block Public Access is on, before creating anything' {
            $bucket = (New-Bucket 'guard').BucketName
            # moto accepts this public statement despite BlockPublicPolicy; real S3 would answer 403
            $public = @{ Version = '2012-10-17'; Statement = @(@{ Sid = 'LegacyPublic'; Effect = 'Allow'; Principal = '*'; Action = 's3:GetObject'; Resource = "arn:aws:s3:::$bucket/*" }) }
            Invoke-AwsCli s3api put-bucket-policy --bucket $bucket --policy ($public | ConvertTo-Json -Depth 10 -Compress) | Out-Null
            $err = $null
            try { New-AssetCdn -BucketName $bucket -Confirm:$false } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'PublicPolicyBlocked,*'
            $err.Exception.Message | Should -Match 'LegacyPublic'
            $err.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
            @(Get-DistributionsFor $bucket).Count | Should -Be 0
            (Get-BucketPolicy $bucket).Statement.Sid | Should -Be @('LegacyPublic')
        }

        It 'allows the CDN statement next to the public-read one when the bucket was made public with -AllowPublicRead' {
            $bucket = (New-Bucket 'pub').BucketName
            New-AssetBucket -BucketName $bucket -AllowPublicRead -Confirm:$false -WarningAction SilentlyContinue | Out-Null
            $cdn = New-AssetCdn -BucketName $bucket -PriceClass PriceClass_200 -Confirm:$false
            $cdn.PriceClass | Should -Be 'PriceClass_200'
            (Get-BucketPolicy $bucket).Statement.Sid | Sort-Object | Should -Be @('EcommerceAwsCloudFrontRead', 'EcommerceAwsPublicRead')
        }
    }

    Context '-WhatIf' {
        It 'creates no distribution and leaves the bucket policy alone' {
            $bucket = (New-Bucket 'whatif').BucketName
            New-AssetCdn -BucketName $bucket -WhatIf | Should -BeNullOrEmpty
            @(Get-DistributionsFor $bucket).Count | Should -Be 0
            Test-AwsCli s3api get-bucket-policy --bucket $bucket | Should -BeFalse
        }
    }

    Context 'bad input is refused before any AWS call' {
        It 'refuses <Case> with <ErrorId>' -ForEach @(
            @{ Case = 'a certificate outside us-east-1'; ErrorId = 'AcmCertificateNotInUsEast1'
               Call = { New-AssetCdn -BucketName 'valid-bucket' -Alias 'cdn.shop.cm' -AcmCertificateArn 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd-1234' -EndpointUrl 'http://127.0.0.1:9' -Confirm:$false } }
            @{ Case = 'a malformed certificate ARN'; ErrorId = 'InvalidAcmCertificateArn'
               Call = { New-AssetCdn -BucketName 'valid-bucket' -Alias 'cdn.shop.cm' -AcmCertificateArn 'my-cert' -EndpointUrl 'http://127.0.0.1:9' -Confirm:$false } }
            @{ Case = 'an alias without certificate'; ErrorId = 'AliasRequiresCertificate'
               Call = { New-AssetCdn -BucketName 'valid-bucket' -Alias 'cdn.shop.cm' -EndpointUrl 'http://127.0.0.1:9' -Confirm:$false } }
            @{ Case = 'a bad bucket name'; ErrorId = 'InvalidBucketName'
               Call = { New-AssetCdn -BucketName 'Bad_Bucket' -EndpointUrl 'http://127.0.0.1:9' -Confirm:$false } }
            @{ Case = 'a bad invalidation path'; ErrorId = 'InvalidInvalidationPath'
               Call = { Clear-AssetCdnCache -DistributionId 'E2QWRUHAPOMQZL' -Path 'images/*' -EndpointUrl 'http://127.0.0.1:9' -Confirm:$false } }
            @{ Case = 'a bad distribution id'; ErrorId = 'InvalidDistributionId'
               Call = { Remove-AssetCdn -DistributionId 'not an id' -EndpointUrl 'http://127.0.0.1:9' -Confirm:$false } }
        ) {
            $err = $null
            try { & $Call } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        }
    }
}

Describe 'Remove-AssetCdn' -Tag Integration {
    BeforeAll {
        $bucket = (New-Bucket 'rm').BucketName
        $keep = @{ Version = '2012-10-17'; Statement = @(@{ Sid = 'TeamRead'; Effect = 'Allow'; Principal = @{ AWS = 'arn:aws:iam::123456789012:root' }; Action = 's3:GetObject'; Resource = "arn:aws:s3:::$bucket/*" }) }
        Invoke-AwsCli s3api put-bucket-policy --bucket $bucket --policy ($keep | ConvertTo-Json -Depth 10 -Compress) | Out-Null
        $cdn = New-AssetCdn -BucketName $bucket -Confirm:$false
    }

    It '-WhatIf removes nothing' {
        Remove-AssetCdn -DistributionId $cdn.DistributionId -WhatIf
        Test-AwsCli cloudfront get-distribution --id $cdn.DistributionId | Should -BeTrue
    }

    It 'disables and deletes the distribution, its policy statement and its OAC, keeping other statements (from the pipeline)' {
        $cdn | Remove-AssetCdn -Confirm:$false
        Test-AwsCli cloudfront get-distribution --id $cdn.DistributionId | Should -BeFalse
        $sentUpdate = @(Get-SentXml "distribution/$($cdn.DistributionId)/config")
        $sentUpdate[-1].DistributionConfig.Enabled | Should -Be 'false'
        (Get-BucketPolicy $bucket).Statement.Sid | Should -Be @('TeamRead')
        Test-AwsCli cloudfront get-origin-access-control --id $cdn.OriginAccessControlId | Should -BeFalse
        Test-AwsCli s3api head-bucket --bucket $bucket | Should -BeTrue
    }

    It 'reports a missing distribution as DistributionNotFound' {
        Get-ErrorId { Remove-AssetCdn -DistributionId 'E0000000000000' -Confirm:$false } | Should -BeLike 'DistributionNotFound,*'
    }
}
