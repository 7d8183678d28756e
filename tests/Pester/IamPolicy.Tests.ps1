BeforeDiscovery {
    $script:scopes = 'Provision', 'Migrate', 'Operate', 'Import'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'IamPolicyHelpers.psm1') -Force
    Import-EcommerceAws
    $script:modulePath = (Get-Module EcommerceAws).ModuleBase   # the built module: its Dependencies hold the SDK and engine dlls
    $script:engineSource = Join-Path $PSScriptRoot '../../src/Engine'
    $script:account = '123456789012'

    # What the code calls, derived from the SDK/hand-written client interfaces and a scan of src/Engine.
    $script:called = @(Get-CalledAwsOperation -ModulePath $modulePath -EngineSource $engineSource)
    $script:policy = Get-EcommerceIamPolicy -Name shop -AccountId $account -Region us-east-1 -DistributionId E2QWRUHAPOMQZL
    $script:statements = @(Get-PolicyStatement $policy.Json)
    $script:granted = [System.Collections.Generic.HashSet[string]]::new([string[]] @($statements.Action))
    $script:policyNames = [System.Collections.Generic.List[string]]::new()
}

AfterAll {
    foreach ($name in $script:policyNames) {
        Test-AwsCli iam delete-policy --policy-arn "arn:aws:iam::$($script:account):policy/$name" | Out-Null
    }
}

Describe 'Get-EcommerceIamPolicy covers every AWS operation the module calls' -Tag Unit {
    It 'finds the calls by scanning the engine (a sanity floor, so a broken scan cannot pass silently)' {
        $called.Count | Should -BeGreaterThan 50
        # every client family the engine uses shows up in the scan
        foreach ($client in 'IAmazonDynamoDB', 'IAmazonS3', 'IAmazonSecurityTokenService', 'ICloudFrontClient', 'IAmazonElastiCache', 'IAmazonCloudWatch') {
            @($called | Where-Object { $client -in $_.Interfaces }).Count | Should -BeGreaterThan 0 -Because "the engine calls $client"
        }
    }

    It 'has a catalog entry for every client method the engine calls' {
        $missing = foreach ($call in $called) {
            $entry = $policy.Operations | Where-Object { $_.Method -eq $call.Method -and $_.Client -in $call.Interfaces }
            if (-not $entry) { "$($call.Interfaces -join '|').$($call.Method) (called in $($call.Files -join ', '))" }
        }
        $missing | Should -BeNullOrEmpty -Because 'every AWS call needs its IAM actions in IamActionCatalog'
    }

    It 'grants every IAM action of every called method in the all-scopes policy JSON' {
        $absent = foreach ($call in $called) {
            foreach ($entry in $policy.Operations | Where-Object { $_.Method -eq $call.Method -and $_.Client -in $call.Interfaces }) {
                foreach ($action in $entry.Actions) { if (-not $granted.Contains($action)) { "$($call.Method) -> $action" } }
            }
        }
        $absent | Should -BeNullOrEmpty
    }

    It 'lists no catalog entry that the code does not call (no stale grants)' {
        $stale = foreach ($entry in $policy.Operations) {
            if (-not ($called | Where-Object { $_.Method -eq $entry.Method -and $entry.Client -in $_.Interfaces })) { "$($entry.Client).$($entry.Method)" }
        }
        $stale | Should -BeNullOrEmpty
    }

    It 'maps SDK methods to the real IAM action names where they differ' {
        $map = @{}
        foreach ($entry in $policy.Operations) { $map["$($entry.Client).$($entry.Method)"] = $entry.Actions }
        $map['IAmazonS3.PutBucketAsync'] | Should -Be 's3:CreateBucket'
        $map['IAmazonS3.ListVersionsAsync'] | Should -Be 's3:ListBucketVersions'
        $map['IAmazonS3.ListObjectsV2Async'] | Should -Be 's3:ListBucket'
        $map['IAmazonS3.AbortMultipartUploadAsync'] | Should -Be 's3:AbortMultipartUpload'
        $map['IAmazonS3.UploadPartAsync'] | Should -Be 's3:PutObject'
        $map['IAmazonDynamoDB.ImportTableAsync'] | Should -Contain 'dynamodb:ImportTable'
        $map['IAmazonDynamoDB.ImportTableAsync'] | Should -Contain 'logs:PutLogEvents'
        $map['IAmazonS3.DeleteObjectsAsync'] | Should -Be 's3:DeleteObject', 's3:DeleteObjectVersion'
        $map['IAmazonS3.PutPublicAccessBlockAsync'] | Should -Be 's3:PutBucketPublicAccessBlock'
        $map['IAmazonS3.PutBucketEncryptionAsync'] | Should -Be 's3:PutEncryptionConfiguration'
        $map['IAmazonS3.PutCORSConfigurationAsync'] | Should -Be 's3:PutBucketCORS'
        $map['IAmazonS3.PutBucketMetricsConfigurationAsync'] | Should -Be 's3:PutMetricsConfiguration'
        $map['IAmazonS3.ListBucketsAsync'] | Should -Be 's3:ListAllMyBuckets'
        $map['ICloudFrontClient.CreateDistributionWithTagsAsync'] | Should -Be 'cloudfront:CreateDistribution', 'cloudfront:TagResource'
        $map['IAmazonDynamoDB.CreateTableAsync'] | Should -Contain 'dynamodb:TagResource'
    }

    It 'grants each called method''s actions in the policy of each scope it belongs to (<_>)' -ForEach $scopes {
        $scope = $_
        $scoped = Get-EcommerceIamPolicy -Scope $scope -Name shop -AccountId $account -Region us-east-1
        $scopedActions = @((Get-PolicyStatement $scoped.Json).Action)
        $scoped.Scope | Should -Be $scope
        $entries = @($policy.Operations | Where-Object { $scope -in $_.Scopes })
        $entries.Count | Should -BeGreaterThan 0
        $absent = foreach ($entry in $entries) { foreach ($action in $entry.Actions) { if ($action -notin $scopedActions) { "$($entry.Method) -> $action" } } }
        $absent | Should -BeNullOrEmpty
        # and nothing from operations of other scopes only
        $own = @($entries.Actions)
        @($scopedActions | Where-Object { $_ -notin $own }) | Should -BeNullOrEmpty
    }

    It 'gives Migrate no provisioning or deleting of resources' {
        $migrate = Get-PolicyStatement (Get-EcommerceIamPolicy -Scope Migrate -Name shop -AccountId $account -Region us-east-1).Json
        $actions = @($migrate.Action)
        $actions | Should -Contain 'dynamodb:BatchWriteItem'
        $actions | Should -Contain 's3:PutObject'
        foreach ($forbidden in 'dynamodb:CreateTable', 'dynamodb:DeleteTable', 's3:CreateBucket', 's3:DeleteBucket', 'cloudfront:CreateDistribution', 'elasticache:CreateCacheCluster') {
            $actions | Should -Not -Contain $forbidden
        }
    }
}

Describe 'Get-EcommerceIamPolicy writes a valid IAM policy document' -Tag Integration {
    It 'parses as JSON with Version 2012-10-17 and an Allow statement with a unique Sid each' {
        $document = $policy.Json | ConvertFrom-Json
        $document.Version | Should -Be '2012-10-17'
        $statements.Count | Should -BeGreaterThan 5
        foreach ($statement in $statements) {
            $statement.Sid | Should -Match '^[A-Za-z0-9]+$'
            $statement.Effect | Should -Be 'Allow'
            $statement.Action | ForEach-Object { $_ | Should -Match '^[a-z0-9-]+:[A-Za-z0-9]+$' }
            $statement.Resource | ForEach-Object { $_ | Should -Match '^(\*|arn:aws:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+)$' }   # us-east-1: partition aws
        }
        @($statements.Sid | Sort-Object -Unique).Count | Should -Be $statements.Count
    }

    It 'uses Resource "*" only for the documented wildcard actions, each with a reason' {
        $wild = @($statements | Where-Object { '*' -in $_.Resource })
        $wild.Count | Should -Be 1
        $documented = @($policy.WildcardActions.Action)
        foreach ($action in $wild.Action) { $action | Should -BeIn $documented }
        $documented | Should -Be @($wild.Action)
        foreach ($w in $policy.WildcardActions) { $w.Reason | Should -Not -BeNullOrEmpty; $w.Reason | Should -Not -Be '(undocumented)' }
        $documented | Should -Contain 'sts:GetCallerIdentity'
        $documented | Should -Contain 'cloudfront:CreateDistribution'
        # the JSON text itself: one "Resource": "*"
        ([regex]::Matches($policy.Json, '"Resource":\s*"\*"')).Count | Should -Be 1
        # a resource-scoped action never sneaks into the wildcard statement
        $wild.Action | Should -Not -Contain 'dynamodb:DeleteTable'
        $wild.Action | Should -Not -Contain 's3:PutObject'
    }

    It 'the object form matches the JSON' {
        $policy.Statements.Count | Should -Be $statements.Count
        for ($i = 0; $i -lt $statements.Count; $i++) {
            $policy.Statements[$i].Sid | Should -Be $statements[$i].Sid
            $policy.Statements[$i].Actions | Should -Be $statements[$i].Action
            $policy.Statements[$i].Resources | Should -Be $statements[$i].Resource
        }
        "$policy" | Should -Be $policy.Json
    }

    It 'is accepted by IAM (aws iam create-policy against the stand-in) and reads back the same' {
        $name = New-TestName 'policy'
        $file = Join-Path ([System.IO.Path]::GetTempPath()) "$name.json"
        Get-EcommerceIamPolicy -Name shop -AccountId $account -Region us-east-1 -AsJson | Set-Content -Path $file
        try {
            $created = Invoke-AwsCli iam create-policy --policy-name $name --policy-document "file://$file"
            $script:policyNames.Add($name)
            $created.Policy.PolicyName | Should -Be $name
            $version = Invoke-AwsCli iam get-policy-version --policy-arn $created.Policy.Arn --version-id $created.Policy.DefaultVersionId
            $document = $version.PolicyVersion.Document
            if ($document -is [string]) { $document = [uri]::UnescapeDataString($document) | ConvertFrom-Json }
            @($document.Statement.Sid) | Should -Be @($statements.Sid)
        }
        finally { Remove-Item $file -ErrorAction SilentlyContinue }
    }

    It '-AsJson writes only the JSON string' {
        $json = Get-EcommerceIamPolicy -Name shop -AccountId $account -Region us-east-1 -DistributionId E2QWRUHAPOMQZL -AsJson
        @($json).Count | Should -Be 1
        $json | Should -BeOfType ([string])
        $json | Should -Be $policy.Json
    }
}

Describe 'Get-EcommerceIamPolicy scopes resources to a stack' -Tag Integration {
    BeforeAll {
        $script:stackName = New-TestName 'iam'
        $script:stack = New-EcommerceStack -Name $stackName -Confirm:$false -WarningAction SilentlyContinue
        # no -AccountId: the caller's account comes from STS; the region from the stack (bound by property name)
        $script:fromStack = $stack | Get-EcommerceIamPolicy
        $script:stackStatements = @(Get-PolicyStatement $fromStack.Json)
    }
    AfterAll {
        Remove-EcommerceStack -Name $script:stackName -Force -Confirm:$false -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
    }

    It 'binds the stack''s names and resolves the account from STS' {
        $fromStack.AccountId | Should -Be $account   # moto's GetCallerIdentity account
        $fromStack.Region | Should -Be $stack.Region
        $fromStack.TableName | Should -Be $stack.TableName
        $fromStack.BucketName | Should -Be $stack.BucketName
        $fromStack.DistributionId | Should -Be $stack.DistributionId
        $fromStack.CacheClusterId | Should -Be $stack.CacheClusterId
        ($fromStack.Notes -join "`n") | Should -Not -Match 'No -DistributionId'
    }

    It 'scopes every statement to the stack''s resources' {
        $byResource = @{}
        foreach ($s in $stackStatements) { $byResource[$s.Sid] = $s.Resource }
        $prefix = "arn:aws:dynamodb:$($stack.Region):$($account):table/$($stack.TableName)"
        $byResource['DynamoDbTableAndIndexes'] | Should -Be $prefix, "$prefix/index/*"
        $byResource['S3AssetBucket'] | Should -Be "arn:aws:s3:::$($stack.BucketName)"
        $byResource['S3AssetObjects'] | Should -Be "arn:aws:s3:::$($stack.BucketName)/*"
        $byResource['CloudFrontDistribution'] | Should -Be "arn:aws:cloudfront::$($account):distribution/$($stack.DistributionId)"
        $byResource['ElastiCacheCache'] | Should -Contain "arn:aws:elasticache:$($stack.Region):$($account):cluster:$($stack.CacheClusterId)"
        $byResource['ElastiCacheCache'] | Should -Contain "arn:aws:elasticache:$($stack.Region):$($account):replicationgroup:$($stack.CacheClusterId)"
        $byResource['CloudWatchAlarms'] | Should -Be "arn:aws:cloudwatch:$($stack.Region):$($account):alarm:ecommerce-$stackName-*"
        # every other scoped resource names this stack, except the documented id-less kinds
        $unscoped = foreach ($s in $stackStatements) {
            if ($s.Sid -in 'CloudFrontDistribution', 'NoResourceLevelPermissions', 'CloudFrontTagNewDistribution', 'CloudFrontOriginAccessControls', 'ElastiCacheDefaultGroups', 'ElastiCacheServiceLinkedRole', 'CloudWatchLogsImportErrors') { continue }
            $s.Resource | Where-Object { $_ -notmatch [regex]::Escape($stackName) }
        }
        $unscoped | Should -BeNullOrEmpty
    }

    It 'names the real alarms New-EcommerceAlarm creates for the stack' {
        $pattern = ($stackStatements | Where-Object Sid -eq 'CloudWatchAlarms').Resource
        $alarms = @($stack | New-EcommerceAlarm -Confirm:$false)
        try {
            $alarms.Count | Should -BeGreaterThan 0
            foreach ($alarm in $alarms) { @($pattern | Where-Object { $alarm.Arn -like $_ }).Count | Should -BeGreaterThan 0 -Because $alarm.Arn }
        }
        finally { $stack | Remove-EcommerceAlarm -Confirm:$false -ErrorAction SilentlyContinue }
    }

    It 'covers every distribution (and says so) when the id is not known' {
        $noCdn = [pscustomobject]@{ Name = $stackName; TableName = $stack.TableName; BucketName = $stack.BucketName; DistributionId = ''; CacheClusterId = $stack.CacheClusterId } |
            Get-EcommerceIamPolicy -AccountId $account -Region us-east-1
        (Get-PolicyStatement $noCdn.Json | Where-Object Sid -eq 'CloudFrontDistribution').Resource | Should -Be "arn:aws:cloudfront::$($account):distribution/*"
        ($noCdn.Notes -join "`n") | Should -Match 'No -DistributionId'
    }
}

Describe 'Get-EcommerceIamPolicy input errors' -Tag Unit {
    It 'rejects a malformed <Parameter> before any AWS call (<ErrorId>)' -ForEach @(
        @{ Parameter = 'DistributionId'; Value = 'not an id'; ErrorId = 'InvalidDistributionId' }
        @{ Parameter = 'BucketName'; Value = 'Bad_Bucket'; ErrorId = 'InvalidBucketName' }
        @{ Parameter = 'CacheClusterId'; Value = '9redis'; ErrorId = 'InvalidCacheClusterId' }
        @{ Parameter = 'TableName'; Value = 'x'; ErrorId = 'InvalidTableName' }
    ) {
        $arguments = @{ AccountId = $account; Region = 'us-east-1'; EndpointUrl = 'http://127.0.0.1:9'; $Parameter = $Value }
        Get-ErrorId { Get-EcommerceIamPolicy @arguments } | Should -BeLike "$ErrorId,*"
    }

    It 'rejects an account id that is not 12 digits' {
        Get-ErrorId { Get-EcommerceIamPolicy -AccountId 12345 -Region us-east-1 } | Should -BeLike 'ParameterArgumentValidationError*'
    }
}

Describe 'Get-EcommerceIamPolicy covers each scope''s runbook (proven under enforcement in IamEnforcement.Tests.ps1)' -Tag Integration {
    It 'Migrate: s3:ListBucket on the bucket, so a HeadObject of a new image answers 404, not 403' {
        $migrate = @(Get-PolicyStatement (Get-EcommerceIamPolicy -Scope Migrate -Name shop -AccountId $account -Region us-east-1).Json)
        ($migrate | Where-Object { 's3:ListBucket' -in $_.Action }).Resource | Should -Be 'arn:aws:s3:::shop-assets'
        ($migrate | Where-Object { 's3:PutObject' -in $_.Action }).Resource | Should -Be 'arn:aws:s3:::shop-assets/*'
    }

    It 'Import: -Method Import (ImportTable, DescribeImport, the staging prefix, the import error logs, finishing the table); Migrate gets none of it' {
        $result = Get-EcommerceIamPolicy -Scope Import -Name shop -AccountId $account -Region us-east-1
        $migrate = @(Get-PolicyStatement $result.Json)
        $table = "arn:aws:dynamodb:us-east-1:$($account):table/shop"
        ($migrate | Where-Object { 'dynamodb:ImportTable' -in $_.Action }).Resource | Should -Be $table, "$table/index/*"
        ($migrate | Where-Object { 'dynamodb:DescribeImport' -in $_.Action }).Resource | Should -Be $table, "$table/import/*"
        $logs = $migrate | Where-Object Sid -EQ 'CloudWatchLogsImportErrors'
        $logs.Resource | Should -Be "arn:aws:logs:us-east-1:$($account):log-group:/aws-dynamodb/*"
        $logs.Action | Should -Be 'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams', 'logs:PutLogEvents', 'logs:PutRetentionPolicy'
        $actions = @($migrate.Action)
        foreach ($needed in 'dynamodb:UpdateTable', 'dynamodb:UpdateContinuousBackups', 'dynamodb:TagResource', 's3:ListBucketVersions', 's3:DeleteObject', 's3:PutLifecycleConfiguration', 's3:GetObject') {
            $actions | Should -Contain $needed
        }
        ($result.Notes -join "`n") | Should -Match '-StagingBucket'
        # GovCloud: the partition's ARNs
        $writeOnly = @((Get-PolicyStatement (Get-EcommerceIamPolicy -Scope Migrate -Name shop -AccountId $account -Region us-east-1).Json).Action)
        foreach ($importOnly in 'dynamodb:ImportTable', 'dynamodb:UpdateTable', 'logs:CreateLogGroup', 's3:DeleteObject', 's3:PutLifecycleConfiguration') { $writeOnly | Should -Not -Contain $importOnly }
        $gov = @(Get-PolicyStatement (Get-EcommerceIamPolicy -Scope Import -Name shop -AccountId $account -Region us-gov-west-1).Json)
        ($gov | Where-Object Sid -EQ 'CloudWatchLogsImportErrors').Resource | Should -Be "arn:aws-us-gov:logs:us-gov-west-1:$($account):log-group:/aws-dynamodb/*"
    }

    It 'Operate: ElastiCache Describe* for the cache alarm, the stack''s read-only status, and GetItem on status items only' {
        $policy = Get-EcommerceIamPolicy -Scope Operate -Name shop -AccountId $account -Region us-east-1
        $operate = @(Get-PolicyStatement $policy.Json)
        $cache = $operate | Where-Object Sid -EQ 'ElastiCacheCache'
        $cache.Action | Should -Be 'elasticache:DescribeCacheClusters', 'elasticache:DescribeReplicationGroups', 'elasticache:DescribeServerlessCaches'
        $cache.Resource | Should -Contain "arn:aws:elasticache:us-east-1:$($account):cluster:shop-redis"
        $actions = @($operate.Action)
        foreach ($read in 'dynamodb:DescribeTable', 's3:GetBucketLocation', 'cloudfront:ListDistributions', 'cloudwatch:PutMetricAlarm') { $actions | Should -Contain $read }
        # no data reads or writes: the status items only, through dynamodb:LeadingKeys
        foreach ($data in 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 's3:GetObject', 's3:PutObject') { $actions | Should -Not -Contain $data }
        $status = (ConvertFrom-Json $policy.Json).Statement | Where-Object Sid -EQ 'DynamoDbMigrationStatusItems'
        $status.Action | Should -Be 'dynamodb:GetItem'
        $status.Resource | Should -Be "arn:aws:dynamodb:us-east-1:$($account):table/shop"
        @($status.Condition.'ForAllValues:StringLike'.'dynamodb:LeadingKeys') | Should -Be 'MIGRATION#*'
        $policy.Statements.Where({ $_.Sid -eq 'DynamoDbMigrationStatusItems' })[0].Conditions[0].Key | Should -Be 'dynamodb:LeadingKeys'
    }

    It 'drops the status-items statement when Migrate already grants GetItem on the whole table' {
        $all = (ConvertFrom-Json (Get-EcommerceIamPolicy -Name shop -AccountId $account -Region us-east-1).Json).Statement
        @($all | Where-Object Sid -EQ 'DynamoDbMigrationStatusItems') | Should -BeNullOrEmpty
    }

    It 'writes a policy with a Condition that IAM accepts (aws iam create-policy)' {
        $name = New-TestName 'policy'
        $file = Join-Path ([System.IO.Path]::GetTempPath()) "$name.json"
        Get-EcommerceIamPolicy -Scope Operate -Name shop -AccountId $account -Region us-east-1 -AsJson | Set-Content -Path $file
        try {
            $created = Invoke-AwsCli iam create-policy --policy-name $name --policy-document "file://$file"
            $script:policyNames.Add($name)
            $created.Policy.PolicyName | Should -Be $name
        }
        finally { Remove-Item $file -ErrorAction SilentlyContinue }
    }
}

Describe 'Get-EcommerceIamPolicy in every partition' -Tag Unit {
    It 'uses arn:aws-cn: in China, with the China CloudFront ARNs and no origin access control or CreateDistribution' {
        $policy = Get-EcommerceIamPolicy -Name shop -AccountId $account -Region cn-north-1 -DistributionId E2QWRUHAPOMQZL
        $policy.Partition | Should -Be 'aws-cn'
        $statements = @(Get-PolicyStatement $policy.Json)
        foreach ($resource in $statements.Resource | Where-Object { $_ -ne '*' }) { $resource | Should -Match '^arn:aws-cn:' }
        ($statements | Where-Object Sid -EQ 'CloudFrontDistribution').Resource | Should -Be "arn:aws-cn:cloudfront::$($account):distribution/E2QWRUHAPOMQZL"
        ($statements | Where-Object Sid -EQ 'DynamoDbTableAndIndexes').Resource | Should -Contain "arn:aws-cn:dynamodb:cn-north-1:$($account):table/shop"
        foreach ($absent in 'cloudfront:CreateOriginAccessControl', 'cloudfront:ListOriginAccessControls', 'cloudfront:CreateDistribution') { @($statements.Action) | Should -Not -Contain $absent }
        @($statements.Action) | Should -Contain 'cloudfront:CreateInvalidation'
        ($policy.Notes -join "`n") | Should -Match 'aws-cn partition has no origin access control'
    }

    It 'uses arn:aws-us-gov: in GovCloud and grants no CloudFront action there' {
        $policy = Get-EcommerceIamPolicy -Name shop -AccountId $account -Region us-gov-west-1
        $policy.Partition | Should -Be 'aws-us-gov'
        $statements = @(Get-PolicyStatement $policy.Json)
        foreach ($resource in $statements.Resource | Where-Object { $_ -ne '*' }) { $resource | Should -Match '^arn:aws-us-gov:' }
        @($statements.Action | Where-Object { $_ -like 'cloudfront:*' }) | Should -BeNullOrEmpty
        ($policy.Notes -join "`n") | Should -Match 'CloudFront is not available in the aws-us-gov partition'
    }
}

Describe 'KMS: customer managed keys of the table and the bucket' -Tag Integration {
    BeforeAll {
        $script:key = "arn:aws:kms:us-east-1:$($account):key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }

    It 'lets each scope use the key only through DynamoDB and S3 of the region (<Scope>)' -ForEach @(
        @{ Scope = 'Provision'; Actions = @('kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey') }
        @{ Scope = 'Migrate'; Actions = @('kms:Decrypt', 'kms:GenerateDataKey') }
        @{ Scope = 'Operate'; Actions = @('kms:Decrypt') }
        @{ Scope = 'Import'; Actions = @('kms:Decrypt', 'kms:GenerateDataKey') }
    ) {
        $policy = Get-EcommerceIamPolicy -Scope $Scope -Name shop -AccountId $account -Region us-east-1 -KmsKeyArn $key
        $statement = (ConvertFrom-Json $policy.Json).Statement | Where-Object Sid -EQ 'KmsKeysThroughDynamoDbAndS3'
        @($statement.Action) | Should -Be $Actions
        $statement.Resource | Should -Be $key
        @($statement.Condition.StringEquals.'kms:ViaService') | Should -Be 'dynamodb.us-east-1.amazonaws.com', 's3.us-east-1.amazonaws.com'
        $policy.KmsKeyArn | Should -Be $key
    }

    It 'uses the China DNS suffix in kms:ViaService' {
        $cnKey = "arn:aws-cn:kms:cn-north-1:$($account):key/1234abcd-12ab-34cd-56ef-1234567890ab"
        $statement = (ConvertFrom-Json (Get-EcommerceIamPolicy -Scope Migrate -Name shop -AccountId $account -Region cn-north-1 -KmsKeyArn $cnKey).Json).Statement |
            Where-Object Sid -EQ 'KmsKeysThroughDynamoDbAndS3'
        @($statement.Condition.StringEquals.'kms:ViaService') | Should -Be 'dynamodb.cn-north-1.amazonaws.com.cn', 's3.cn-north-1.amazonaws.com.cn'
    }

    It 'refuses <Case> (<ErrorId>)' -ForEach @(
        @{ Case = 'an alias ARN'; Value = 'arn:aws:kms:us-east-1:123456789012:alias/shop'; ErrorId = 'InvalidKmsKeyArn' }
        @{ Case = 'a bare key id'; Value = '1234abcd-12ab-34cd-56ef-1234567890ab'; ErrorId = 'InvalidKmsKeyArn' }
        @{ Case = 'a key of another region'; Value = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'; ErrorId = 'KmsKeyArnWrongRegion' }
        @{ Case = 'a key of another partition'; Value = 'arn:aws-cn:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'; ErrorId = 'KmsKeyArnWrongRegion' }
    ) {
        Get-ErrorId { Get-EcommerceIamPolicy -Name shop -AccountId $account -Region us-east-1 -KmsKeyArn $Value } | Should -BeLike "$ErrorId,*"
    }

    It 'New-AssetCdn on an SSE-KMS bucket warns and returns the key-policy statement CloudFront needs (AWS:SourceArn = the distribution)' {
        $bucket = New-TestName 'kms'
        New-AssetBucket -BucketName $bucket -KmsKeyId $key -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        try {
            $cdn = New-AssetCdn -BucketName $bucket -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue
            ($warnings -join "`n") | Should -Match ([regex]::Escape("encrypted with the KMS key $key"))
            ($warnings -join "`n") | Should -Match '403'
            $statement = $cdn.KmsKeyPolicyStatement | ConvertFrom-Json
            $statement.Principal.Service | Should -Be 'cloudfront.amazonaws.com'
            $statement.Action | Should -Be 'kms:Decrypt'
            $statement.Condition.StringEquals.'AWS:SourceArn' | Should -Be $cdn.Arn
            $cdn.Arn | Should -Be "arn:aws:cloudfront::$($account):distribution/$($cdn.DistributionId)"
        }
        finally {
            if ($cdn) { Remove-AssetCdn -DistributionId $cdn.DistributionId -Confirm:$false -ErrorAction SilentlyContinue | Out-Null }
            Remove-AssetBucket -BucketName $bucket -Force -Confirm:$false -ErrorAction SilentlyContinue
        }
    }

    It 'New-AssetCdn on an SSE-S3 bucket says nothing about KMS' {
        $bucket = New-TestName 'sse'
        New-AssetBucket -BucketName $bucket -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        try {
            $cdn = New-AssetCdn -BucketName $bucket -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue
            $cdn.KmsKeyPolicyStatement | Should -BeNullOrEmpty
            ($warnings -join "`n") | Should -Not -Match 'KMS'
        }
        finally {
            if ($cdn) { Remove-AssetCdn -DistributionId $cdn.DistributionId -Confirm:$false -ErrorAction SilentlyContinue | Out-Null }
            Remove-AssetBucket -BucketName $bucket -Force -Confirm:$false -ErrorAction SilentlyContinue
        }
    }
}
