BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-EcommerceAws
    $script:created = [System.Collections.Generic.List[string]]::new()
    function New-BucketName([string] $Prefix = 'assets') { $n = New-TestName $Prefix; $script:created.Add($n); $n }
    function Add-ObjectVersion([string] $Bucket, [string] $Key, [string] $Text) {
        $file = [System.IO.Path]::GetTempFileName()
        try { Set-Content -Path $file -Value $Text; Invoke-AwsCli s3api put-object --bucket $Bucket --key $Key --body $file | Out-Null }
        finally { Remove-Item $file }
    }
}

AfterAll {
    foreach ($name in $script:created) {
        if (Test-AwsCli s3api head-bucket --bucket $name) {
            Remove-AssetBucket -BucketName $name -Force -Confirm:$false -ErrorAction SilentlyContinue
        }
    }
}

Describe 'New-AssetBucket' -Tag Integration {
    Context 'the LocationConstraint, with a custom endpoint (AWS_ENDPOINT_URL)' {
        # The README's first command in af-south-1: every region but us-east-1 needs its LocationConstraint, even
        # when the SDK is pointed at a custom endpoint (UseClientRegion sends none then).
        It 'creates the bucket in <Region>' -ForEach @(@{ Region = 'af-south-1' }, @{ Region = 'eu-west-1' }, @{ Region = 'us-east-1' }) {
            $name = New-BucketName 'loc'
            try {
                $info = New-AssetBucket -BucketName $name -Region $Region -Confirm:$false -WarningAction SilentlyContinue
                $info.Region | Should -Be $Region
                $location = (Invoke-AwsCli s3api get-bucket-location --bucket $name).LocationConstraint
                if ($Region -eq 'us-east-1') { $location | Should -BeNullOrEmpty -Because 'us-east-1 sends no constraint (S3 refuses one)' }
                else { $location | Should -Be $Region }
            }
            finally { try { Remove-AssetBucket -BucketName $name -Region $Region -Force -Confirm:$false } catch { } }
        }
    }

    Context 'defaults: a private, versioned, encrypted bucket' {
        BeforeAll {
            $name = New-BucketName
            $info = New-AssetBucket -BucketName $name -AllowedOrigin 'https://shop.example.cm' -Tag @{ Project = 'shop' } -Confirm:$false
        }

        It 'returns a typed AssetBucketInfo' {
            $info | Should -BeOfType ([EcommerceAws.Output.AssetBucketInfo])
            $info.BucketName | Should -Be $name
            $info.Region | Should -Be 'us-east-1'
            $info.Arn | Should -Be "arn:aws:s3:::$name"
            $info.RegionalDomainName | Should -Be "$name.s3.us-east-1.amazonaws.com"
            $info.Versioning | Should -Be 'Enabled'
            $info.Encryption | Should -Be 'AES256'
            $info.PublicAccessBlocked | Should -BeTrue
            $info.PolicyStatementIds | Should -BeNullOrEmpty
            $info.CreatedAt | Should -Not -BeNullOrEmpty
            $info.AlreadyExisted | Should -BeFalse
        }

        It 'blocks all public access (get-public-access-block)' {
            $block = (Invoke-AwsCli s3api get-public-access-block --bucket $name).PublicAccessBlockConfiguration
            $block.BlockPublicAcls | Should -BeTrue
            $block.IgnorePublicAcls | Should -BeTrue
            $block.BlockPublicPolicy | Should -BeTrue
            $block.RestrictPublicBuckets | Should -BeTrue
        }

        It 'enforces bucket-owner object ownership' {
            (Invoke-AwsCli s3api get-bucket-ownership-controls --bucket $name).OwnershipControls.Rules[0].ObjectOwnership | Should -Be 'BucketOwnerEnforced'
        }

        It 'has versioning Enabled (get-bucket-versioning)' {
            (Invoke-AwsCli s3api get-bucket-versioning --bucket $name).Status | Should -Be 'Enabled'
        }

        It 'encrypts with SSE-S3 by default (get-bucket-encryption)' {
            $rule = (Invoke-AwsCli s3api get-bucket-encryption --bucket $name).ServerSideEncryptionConfiguration.Rules[0]
            $rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm | Should -Be 'AES256'
        }

        It 'expires noncurrent versions after 30 days and aborts stale multipart uploads (get-bucket-lifecycle-configuration)' {
            $rules = (Invoke-AwsCli s3api get-bucket-lifecycle-configuration --bucket $name).Rules
            $noncurrent = $rules | Where-Object ID -eq 'EcommerceAws-expire-noncurrent-versions'
            $noncurrent.Status | Should -Be 'Enabled'
            $noncurrent.NoncurrentVersionExpiration.NoncurrentDays | Should -Be 30
            ($rules | Where-Object ID -eq 'EcommerceAws-abort-incomplete-uploads').AbortIncompleteMultipartUpload.DaysAfterInitiation | Should -Be 7
        }

        It 'allows GET/HEAD from the given origin (get-bucket-cors)' {
            $rule = (Invoke-AwsCli s3api get-bucket-cors --bucket $name).CORSRules[0]
            $rule.AllowedOrigins | Should -Be @('https://shop.example.cm')
            $rule.AllowedMethods | Sort-Object | Should -Be @('GET', 'HEAD')
        }

        It 'carries the user tags and the managed-by tag' {
            $tags = (Invoke-AwsCli s3api get-bucket-tagging --bucket $name).TagSet
            ($tags | Where-Object Key -eq 'Project').Value | Should -Be 'shop'
            ($tags | Where-Object Key -eq 'ManagedBy').Value | Should -Be 'EcommerceAws'
        }

        It 'is idempotent and reconciles settings: a second run returns the same bucket with the new lifecycle, keeping foreign rules' {
            $rules = @((Invoke-AwsCli s3api get-bucket-lifecycle-configuration --bucket $name).Rules)
            $rules += [pscustomobject]@{ ID = 'team-rule'; Status = 'Enabled'; Filter = @{ Prefix = 'tmp/' }; Expiration = @{ Days = 1 } }
            Invoke-AwsCli s3api put-bucket-lifecycle-configuration --bucket $name --lifecycle-configuration (@{ Rules = $rules } | ConvertTo-Json -Depth 10 -Compress) | Out-Null
            $again = New-AssetBucket -BucketName $name -NoncurrentVersionDays 45 -Confirm:$false
            $again.AlreadyExisted | Should -BeTrue
            $again.Arn | Should -Be $info.Arn
            $after = (Invoke-AwsCli s3api get-bucket-lifecycle-configuration --bucket $name).Rules
            ($after | Where-Object ID -eq 'EcommerceAws-expire-noncurrent-versions').NoncurrentVersionExpiration.NoncurrentDays | Should -Be 45
            ($after | Where-Object ID -eq 'team-rule') | Should -Not -BeNullOrEmpty
            @((Invoke-AwsCli s3api list-buckets).Buckets | Where-Object Name -eq $name).Count | Should -Be 1
        }

        It 'binds by property name into Get-AssetBucket' {
            ($info | Get-AssetBucket).BucketName | Should -Be $name
        }
    }

    Context 'SSE-KMS' {
        It 'uses the given KMS key (get-bucket-encryption)' {
            $name = New-BucketName
            $key = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555'
            $info = New-AssetBucket -BucketName $name -KmsKeyId $key -Confirm:$false
            $info.Encryption | Should -Be "aws:kms:$key"
            $rule = (Invoke-AwsCli s3api get-bucket-encryption --bucket $name).ServerSideEncryptionConfiguration.Rules[0]
            $rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm | Should -Be 'aws:kms'
            $rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID | Should -Be $key
        }
    }

    Context '-AllowPublicRead (the guide''s public bucket, opt-in)' {
        BeforeAll {
            $name = New-BucketName 'public'
            $info = New-AssetBucket -BucketName $name -AllowPublicRead -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue
        }

        It 'warns about the exposure' {
            ($warnings -join "`n") | Should -Match 'PUBLIC'
        }

        It 'lifts only BlockPublicPolicy and RestrictPublicBuckets' {
            $block = (Invoke-AwsCli s3api get-public-access-block --bucket $name).PublicAccessBlockConfiguration
            $block.BlockPublicPolicy | Should -BeFalse
            $block.RestrictPublicBuckets | Should -BeFalse
            $block.BlockPublicAcls | Should -BeTrue
            $block.IgnorePublicAcls | Should -BeTrue
            $info.PublicAccessBlocked | Should -BeFalse
        }

        It 'writes the public-read statement (get-bucket-policy)' {
            $policy = (Invoke-AwsCli s3api get-bucket-policy --bucket $name).Policy | ConvertFrom-Json
            $statement = @($policy.Statement | Where-Object Sid -eq 'EcommerceAwsPublicRead')
            $statement.Count | Should -Be 1
            $statement[0].Principal | Should -Be '*'
            $statement[0].Action | Should -Be 's3:GetObject'
            $statement[0].Resource | Should -Be "arn:aws:s3:::$name/*"
            $info.PolicyStatementIds | Should -Be @('EcommerceAwsPublicRead')
        }

        It 'a re-run without -AllowPublicRead makes the bucket private again' {
            $private = New-AssetBucket -BucketName $name -Confirm:$false
            $private.PublicAccessBlocked | Should -BeTrue
            $private.PolicyStatementIds | Should -BeNullOrEmpty
            Test-AwsCli s3api get-bucket-policy --bucket $name | Should -BeFalse
            (Invoke-AwsCli s3api get-public-access-block --bucket $name).PublicAccessBlockConfiguration.BlockPublicPolicy | Should -BeTrue
        }
    }

    Context 'a name owned by another account' {
        It 'stops with BucketNameTaken and leaves the other bucket alone' {
            $name = New-BucketName 'taken'
            # moto runs a request in the account of the assumed role's credentials
            $creds = (Invoke-AwsCli sts assume-role --role-arn 'arn:aws:iam::111122223333:role/other-shop' --role-session-name pester).Credentials
            $saved = $env:AWS_ACCESS_KEY_ID, $env:AWS_SECRET_ACCESS_KEY, $env:AWS_SESSION_TOKEN
            try {
                $env:AWS_ACCESS_KEY_ID = $creds.AccessKeyId; $env:AWS_SECRET_ACCESS_KEY = $creds.SecretAccessKey; $env:AWS_SESSION_TOKEN = $creds.SessionToken
                (Invoke-AwsCli sts get-caller-identity).Account | Should -Be '111122223333'
                Invoke-AwsCli s3api create-bucket --bucket $name | Out-Null
            }
            finally { $env:AWS_ACCESS_KEY_ID, $env:AWS_SECRET_ACCESS_KEY, $env:AWS_SESSION_TOKEN = $saved }

            $err = $null
            try { New-AssetBucket -BucketName $name -Confirm:$false } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'BucketNameTaken,*'
            $err.CategoryInfo.Category | Should -Be 'ResourceExists'
            $err.TargetObject | Should -Be $name
            @((Invoke-AwsCli s3api list-buckets).Buckets | Where-Object Name -eq $name) | Should -BeNullOrEmpty
            $script:created.Remove($name) | Out-Null
        }
    }

    Context '-WhatIf' {
        It 'creates nothing' {
            $name = New-BucketName
            New-AssetBucket -BucketName $name -WhatIf | Should -BeNullOrEmpty
            Test-AwsCli s3api head-bucket --bucket $name | Should -BeFalse
        }
    }

    Context 'bad names are refused before any AWS call' {
        It 'refuses <Name> naming the rule (<Rule>)' -ForEach @(
            @{ Name = 'ab'; Rule = '3 to 63 characters' }
            @{ Name = ('a' * 64); Rule = '3 to 63 characters' }
            @{ Name = 'Shop-Assets'; Rule = 'only lowercase' }
            @{ Name = 'shop_assets'; Rule = 'only lowercase' }
            @{ Name = '-shop-assets'; Rule = 'start and end with a letter or digit' }
            @{ Name = 'shop-assets.'; Rule = 'start and end with a letter or digit' }
            @{ Name = 'shop..assets'; Rule = 'two adjacent dots' }
            @{ Name = '192.168.10.4'; Rule = 'IP address' }
            @{ Name = 'xn--shop-assets'; Rule = 'xn--' }
            @{ Name = 'shop-assets-s3alias'; Rule = '-s3alias' }
            @{ Name = 'shop-assets--ol-s3'; Rule = '--ol-s3' }
        ) {
            # the endpoint is unreachable: reaching AWS would give AwsEndpointUnreachable instead
            $err = $null
            try { New-AssetBucket -BucketName $Name -EndpointUrl 'http://127.0.0.1:9' -Confirm:$false } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'InvalidBucketName,*'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.TargetObject | Should -Be $Name
            $err.Exception.Message | Should -BeLike "*$Rule*"
            $err.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        }
    }
}

Describe 'Get-AssetBucket' -Tag Integration {
    It 'reports a missing bucket as a non-terminating BucketNotFound' {
        Get-AssetBucket -BucketName (New-TestName 'none') -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'BucketNotFound,*'
    }
}

Describe 'Remove-AssetBucket' -Tag Integration {
    BeforeAll {
        $name = New-BucketName 'remove'
        New-AssetBucket -BucketName $name -Confirm:$false | Out-Null
        # versions of one object plus a delete marker: a versioned bucket that looks empty to a plain listing
        Add-ObjectVersion $name 'images/p1.jpg' 'v1'
        Add-ObjectVersion $name 'images/p1.jpg' 'v2'
        Add-ObjectVersion $name 'images/p2.jpg' 'v1'
        Invoke-AwsCli s3api delete-object --bucket $name --key 'images/p1.jpg' | Out-Null
    }

    It 'refuses a non-empty versioned bucket without -Force and leaves it in place' {
        Get-ErrorId { Remove-AssetBucket -BucketName $name -Confirm:$false } | Should -BeLike 'BucketNotEmpty,*'
        Test-AwsCli s3api head-bucket --bucket $name | Should -BeTrue
        @((Invoke-AwsCli s3api list-object-versions --bucket $name).Versions).Count | Should -Be 3
    }

    It '-WhatIf deletes nothing' {
        Remove-AssetBucket -BucketName $name -Force -WhatIf
        Test-AwsCli s3api head-bucket --bucket $name | Should -BeTrue
    }

    It 'with -Force deletes every version and delete marker, then the bucket (from the pipeline)' {
        Get-AssetBucket -BucketName $name | Remove-AssetBucket -Force -Confirm:$false
        Test-AwsCli s3api head-bucket --bucket $name | Should -BeFalse
    }

    It 'reports a missing bucket as BucketNotFound' {
        Get-ErrorId { Remove-AssetBucket -BucketName (New-TestName 'none') -Force -Confirm:$false } | Should -BeLike 'BucketNotFound,*'
    }
}
