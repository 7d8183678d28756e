# Re-running New-AssetCdn converges the existing distribution (issue 3 §2/§4): owned members updated in place with
# If-Match, every other member kept, no UpdateDistribution when nothing differs, nothing changed under -WhatIf.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-EcommerceAws
    $tmp = [System.IO.Path]::GetTempPath()
    $run = [guid]::NewGuid().ToString('N').Substring(0, 8)
    $script:cfLog = Join-Path $tmp "converge-cloudfront-$run.log"
    $script:awsLog = Join-Path $tmp "converge-aws-$run.jsonl"
    $env:ECOM_CLOUDFRONT_REQUEST_LOG = $script:cfLog
    $env:ECOM_AWS_REQUEST_LOG = $script:awsLog
    $script:checker = Join-Path $PSScriptRoot '../Fixtures/wire_shape_check.py'
    $script:cert = 'arn:aws:acm:us-east-1:123456789012:certificate/0c1e2d3f-1234-5678-9abc-def012345678'

    $script:bucket = New-TestName 'conv'
    New-AssetBucket -BucketName $script:bucket -Confirm:$false -WarningAction SilentlyContinue | Out-Null
    $script:first = New-AssetCdn -BucketName $script:bucket -Confirm:$false
    $script:id = $script:first.DistributionId

    function Get-Config { (Invoke-AwsCli cloudfront get-distribution-config --id $script:id).DistributionConfig }
    # UpdateDistribution requests we sent for this distribution (from the JSON request log, with headers).
    # The "no update" checks below are only as good as this log: a missing or empty log is an error, never "no requests".
    function Get-UpdateRequest {
        if (-not (Test-Path $script:awsLog)) { throw "The request log $($script:awsLog) was not written: ECOM_AWS_REQUEST_LOG is not honoured." }
        @(Get-Content $script:awsLog | ForEach-Object { $_ | ConvertFrom-Json } |
            Where-Object { $_.service -eq 'cloudfront' -and $_.method -eq 'PUT' -and $_.uri -like "*/distribution/$($script:id)/config" })
    }
    function Get-DistributionCount {
        $list = (Invoke-AwsCli cloudfront list-distributions).DistributionList
        @($list.Items | Where-Object { (Invoke-AwsCli cloudfront get-distribution-config --id $_.Id).DistributionConfig.Origins.Items.DomainName -like "$($script:bucket).s3.*" }).Count
    }
}

AfterAll {
    Remove-AssetCdn -DistributionId $script:id -Confirm:$false -ErrorAction SilentlyContinue
    Remove-AssetBucket -BucketName $script:bucket -Force -Confirm:$false -ErrorAction SilentlyContinue
    Remove-Item Env:ECOM_CLOUDFRONT_REQUEST_LOG, Env:ECOM_AWS_REQUEST_LOG -ErrorAction SilentlyContinue
    Remove-Item $script:cfLog, $script:awsLog -ErrorAction SilentlyContinue
}

Describe 'New-AssetCdn on a bucket that already has its distribution' -Tag Integration {
    It 'the request log holds the first run''s CreateDistribution (so the "no update" checks below can fail)' {
        $created = @(Get-Content $script:awsLog | ForEach-Object { $_ | ConvertFrom-Json } |
            Where-Object { $_.service -eq 'cloudfront' -and $_.method -eq 'POST' -and $_.uri -match '/distribution(\?WithTags)?$' })
        $created.Count | Should -BeGreaterOrEqual 1
    }

    It 'a run without changed parameters sends no UpdateDistribution and reports no change' {
        $again = New-AssetCdn -BucketName $script:bucket -Confirm:$false
        $again.DistributionId | Should -Be $script:id
        $again.AlreadyExisted | Should -BeTrue
        $again.Changes | Should -BeNullOrEmpty
        Get-UpdateRequest | Should -BeNullOrEmpty
    }

    It '-WhatIf with another -PriceClass changes nothing and sends no update' {
        New-AssetCdn -BucketName $script:bucket -PriceClass PriceClass_100 -WhatIf | Should -BeNullOrEmpty
        (Get-Config).PriceClass | Should -Be 'PriceClass_All'
        Get-UpdateRequest | Should -BeNullOrEmpty
    }

    It '-WhatIf says it will update and lists the change' {
        # -WhatIf text goes to the host: read it from a fresh process's output
        $result = Invoke-FreshPwsh @"
`$ErrorActionPreference = 'Stop'
Import-Module '$env:ECOM_MODULE_PATH'
New-AssetCdn -BucketName '$($script:bucket)' -PriceClass PriceClass_100 -WhatIf
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        ($result.Output -join '') -replace '\s', '' | Should -Match ([regex]::Escape(("Update CloudFront distribution $($script:id): PriceClass: PriceClass_All -> PriceClass_100" -replace '\s', '')))
        (Get-Config).PriceClass | Should -Be 'PriceClass_All'
    }

    It 'a second run with another -PriceClass updates the same distribution in place (get-distribution-config)' {
        $verbose = New-AssetCdn -BucketName $script:bucket -PriceClass PriceClass_200 -Confirm:$false -Verbose 4>&1
        $cdn = @($verbose | Where-Object { $_ -is [EcommerceAws.Output.AssetCdnInfo] })[0]
        $cdn.DistributionId | Should -Be $script:id
        $cdn.AlreadyExisted | Should -BeTrue
        $cdn.PriceClass | Should -Be 'PriceClass_200'
        $cdn.Status | Should -Be 'Deployed'
        $cdn.Changes | Should -Be @('PriceClass: PriceClass_All -> PriceClass_200')
        @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -eq "Distribution $($script:id): PriceClass: PriceClass_All -> PriceClass_200" }).Count | Should -Be 1
        $config = Get-Config
        $config.PriceClass | Should -Be 'PriceClass_200'
        # members we did not change are as they were
        $config.Comment | Should -Be 'E-commerce Cameroon Assets CDN'
        $config.DefaultCacheBehavior.CachePolicyId | Should -Be '658327ea-f89d-4fab-a63d-7e88639e58f6'
        $config.HttpVersion | Should -Be 'http2and3'
        $config.CallerReference | Should -Be "ecommerceaws-$($script:bucket)"
        Get-DistributionCount | Should -Be 1
    }

    It 'sent the update with If-Match and the OAC on the S3 origin (moto drops both from its answers)' {
        $updates = @(Get-UpdateRequest)
        $updates.Count | Should -Be 1
        $updates[0].headers.'If-Match' | Should -Match '^[A-Z0-9]+$'
        $body = [xml] $updates[0].body
        $origin = $body.DistributionConfig.Origins.Items.Origin
        $origin.OriginAccessControlId | Should -Be $script:first.OriginAccessControlId
        $origin.S3OriginConfig.OriginAccessIdentity | Should -Be ''
        $body.DistributionConfig.PriceClass | Should -Be 'PriceClass_200'
    }

    It 'a run with -Alias and -AcmCertificateArn sets Aliases and ViewerCertificate and keeps the price class' {
        $alias = "$($script:bucket).shop.cm"
        $cdn = New-AssetCdn -BucketName $script:bucket -Alias $alias -AcmCertificateArn $script:cert -Confirm:$false
        $cdn.DistributionId | Should -Be $script:id
        $cdn.Aliases | Should -Be @($alias)
        ($cdn.Changes -join "`n") | Should -Match 'Aliases: \[\] -> \['
        ($cdn.Changes -join "`n") | Should -Match 'ViewerCertificate: CloudFront default certificate -> arn:aws:acm:us-east-1:'
        $config = Get-Config
        $config.Aliases.Items | Should -Be @($alias)
        $config.ViewerCertificate.ACMCertificateArn | Should -Be $script:cert
        $config.ViewerCertificate.CloudFrontDefaultCertificate | Should -BeFalse
        $config.ViewerCertificate.SSLSupportMethod | Should -Be 'sni-only'
        $config.PriceClass | Should -Be 'PriceClass_200'
        @(Get-UpdateRequest).Count | Should -Be 2
    }

    It 'a third identical run sends no UpdateDistribution' {
        $cdn = New-AssetCdn -BucketName $script:bucket -Alias "$($script:bucket).shop.cm" -AcmCertificateArn $script:cert -PriceClass PriceClass_200 -Confirm:$false
        $cdn.DistributionId | Should -Be $script:id
        $cdn.Changes | Should -BeNullOrEmpty
        @(Get-UpdateRequest).Count | Should -Be 2
    }

    It 'puts back the security defaults changed from outside and keeps members it does not own' {
        $read = Invoke-AwsCli cloudfront get-distribution-config --id $script:id
        $config = $read.DistributionConfig
        $config.DefaultCacheBehavior.ViewerProtocolPolicy = 'allow-all'
        $config.DefaultCacheBehavior.Compress = $false
        $config.HttpVersion = 'http2'
        $config.IsIPV6Enabled = $false
        $config.DefaultRootObject = 'index.html'
        $file = Join-Path ([System.IO.Path]::GetTempPath()) "converge-$([guid]::NewGuid().ToString('N')).json"
        try {
            $config | ConvertTo-Json -Depth 30 | Set-Content -Path $file -Encoding utf8NoBOM
            Invoke-AwsCli cloudfront update-distribution --id $script:id --if-match $read.ETag --distribution-config "file://$file" | Out-Null
        } finally { Remove-Item $file -ErrorAction SilentlyContinue }

        $cdn = New-AssetCdn -BucketName $script:bucket -Confirm:$false
        $cdn.Changes | Sort-Object | Should -Be @(
            'DefaultCacheBehavior.Compress: false -> true'
            'DefaultCacheBehavior.ViewerProtocolPolicy: allow-all -> redirect-to-https'
            'HttpVersion: http2 -> http2and3'
            'IsIPV6Enabled: false -> true')
        $after = Get-Config
        $after.DefaultCacheBehavior.ViewerProtocolPolicy | Should -Be 'redirect-to-https'
        $after.DefaultCacheBehavior.Compress | Should -BeTrue
        $after.HttpVersion | Should -Be 'http2and3'
        $after.IsIPV6Enabled | Should -BeTrue
        $after.DefaultRootObject | Should -Be 'index.html'
        $after.Aliases.Items | Should -Be @("$($script:bucket).shop.cm")
        $after.PriceClass | Should -Be 'PriceClass_200'
    }

    It 'refuses a bad certificate before any call, on an existing distribution too' {
        $before = @(Get-UpdateRequest).Count
        Get-ErrorId { New-AssetCdn -BucketName $script:bucket -Alias 'cdn.shop.cm' -AcmCertificateArn 'arn:aws:acm:eu-west-1:123456789012:certificate/abcd-1234' -Confirm:$false } |
            Should -BeLike 'AcmCertificateNotInUsEast1,*'
        @(Get-UpdateRequest).Count | Should -Be $before
    }

    It 'sent every UpdateDistribution body in the shape the CloudFront model describes (wire_shape_check.py)' {
        $output = @(& python3 $script:checker 'cloudfront-log' $script:cfLog 2>&1 | ForEach-Object { "$_" })
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        @($output -match '^OK cloudfront UpdateDistribution').Count | Should -BeGreaterOrEqual 3
        $output -match '^ERROR' | Should -BeNullOrEmpty
    }
}
