# The default views (src/Cmdlets/Formats/*.ps1xml) rendered at 80 and 120 columns from real output objects, compared
# with the snapshots in tests/Snapshots/. A changed view changes its snapshot: review the new text, then regenerate with
#   $env:ECOM_UPDATE_SNAPSHOTS = 1; ./build.ps1 Test -TestPath tests/Pester/Views.Tests.ps1
# and commit the snapshots with the view. Every table header must show in full (never wrapped or cut) at both widths.
BeforeDiscovery {
    $repo = if ($env:ECOM_REPO_ROOT) { $env:ECOM_REPO_ROOT } else { Join-Path $PSScriptRoot '../..' }
    # Every type a format view selects, with the labels of its table columns (none for a list view).
    $script:viewCases = foreach ($file in Get-ChildItem (Join-Path $repo 'src/Cmdlets/Formats') -Filter *.ps1xml) {
        foreach ($view in ([xml](Get-Content -Raw $file.FullName)).Configuration.ViewDefinitions.View) {
            $table = $view.SelectSingleNode('TableControl')
            $labels = @(if ($table) { $table.SelectNodes('TableHeaders/TableColumnHeader/Label') | ForEach-Object InnerText })
            # The first view of a type is its default view.
            @{ TypeName = $view.SelectSingleNode('ViewSelectedBy/TypeName').InnerText; Labels = $labels; File = $file.Name
                Kind = if ($table) { 'Table' } elseif ($view.SelectSingleNode('ListControl')) { 'List' } else { 'Custom' } }
        }
    }
    $script:viewCases = @($script:viewCases | Group-Object TypeName | ForEach-Object { $_.Group[0] })
    $script:widths = 80, 120
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-EcommerceAws
    $script:repo = if ($env:ECOM_REPO_ROOT) { $env:ECOM_REPO_ROOT } else { Join-Path $PSScriptRoot '../..' }
    $script:snapshots = Join-Path $script:repo 'tests/Snapshots'
    $script:update = $env:ECOM_UPDATE_SNAPSHOTS -in '1', 'true'
    $PSStyle.OutputRendering = 'PlainText'
    # Views format numbers and dates in the user's culture; the snapshots are taken in en-US.
    $script:savedCulture = [cultureinfo]::CurrentCulture
    [cultureinfo]::CurrentCulture = [cultureinfo]::GetCultureInfo('en-US')

    function New-Output([string] $Type, [hashtable] $Properties) { New-Object -TypeName "EcommerceAws.Output.$Type" -Property $Properties }

    # Real output objects with the widest values each property takes in practice (long names, ARNs, notes).
    $table = 'ecommerce-cameroon-production'
    $bucket = 'ecommerce-cameroon-production-assets-123456789012'
    $script:samples = @{
        'EcommerceAws.Output.EcommerceProduct' = @(
            New-Output EcommerceProduct @{ Id = '65f1c0a1b2c3d4e5f6a7b8c9'; NameEn = 'Samsung Galaxy A15 128 GB smartphone, dual SIM'; NameFr = 'Smartphone Samsung Galaxy A15 128 Go'; Category = 'Electronics'; Price = 27500.5; Stock = 12; Images = @('https://d111111abcdef8.cloudfront.net/products/a.jpg'); TableName = $table }
            New-Output EcommerceProduct @{ Id = '65f1c0a1b2c3d4e5f6a7b8ca'; NameEn = 'Penja white pepper'; Category = 'Alimentation'; Price = 6500; Stock = 1250; TableName = $table; FromCache = $true }
            New-Output EcommerceProduct @{ Id = '65f1c0a1b2c3d4e5f6a7b8cb'; NameEn = 'Ndop woven basket'; Category = 'Home & Kitchen'; Price = 1250000.25; Stock = 0; TableName = $table })
        'EcommerceAws.Output.EcommerceTableInfo' = @(
            New-Output EcommerceTableInfo @{ TableName = $table; Status = 'ACTIVE'; BillingMode = 'PAY_PER_REQUEST'; ItemCount = 1284553; IndexNames = @('GSI1'); PointInTimeRecovery = $true; DeletionProtection = $true; Region = 'ap-southeast-1' }
            New-Output EcommerceTableInfo @{ TableName = 'shop-staging'; Status = 'UPDATING'; BillingMode = 'PROVISIONED'; ReadCapacity = 2500; WriteCapacity = 4000; ItemCount = 0; IndexNames = @('GSI1'); Region = 'af-south-1' })
        'EcommerceAws.Output.AssetBucketInfo' = @(
            New-Output AssetBucketInfo @{ BucketName = $bucket; Region = 'ap-southeast-1'; Versioning = 'Suspended'; Encryption = 'aws:kms (arn:aws:kms:ap-southeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab)'; PublicAccessBlocked = $true; PolicyStatementIds = @('AllowCloudFrontServicePrincipalReadOnly', 'DenyInsecureTransport') })
        'EcommerceAws.Output.AssetCdnInfo' = @(
            New-Output AssetCdnInfo @{ DistributionId = 'E2QWRUHAPOMQZL'; DomainName = 'd111111abcdef8.cloudfront.net'; Url = 'https://d111111abcdef8.cloudfront.net'; Status = 'InProgress'; Enabled = $true; BucketName = $bucket; PriceClass = 'PriceClass_100'; Aliases = @('images.boutique-douala.cm') })
        'EcommerceAws.Output.CdnInvalidationInfo' = @(
            New-Output CdnInvalidationInfo @{ DistributionId = 'E2QWRUHAPOMQZL'; InvalidationId = 'I2J0I21PCUYOIK'; Status = 'InProgress'; Paths = @('/products/*', '/categories/electronics/*'); CreatedAt = [datetime]::new(2026, 3, 1, 10, 15, 30, [DateTimeKind]::Utc) })
        'EcommerceAws.Output.AssetMigrationResult' = @(
            New-Output AssetMigrationResult @{ TableName = $table; BucketName = $bucket; CdnDomain = 'd111111abcdef8.cloudfront.net'; ProductsScanned = 1200; ProductsUpdated = 1150; Conflicts = 2; ImagesUploaded = 2290; ImagesSkipped = 10; ImagesAlreadyPublished = 0; ImagesRejected = 40; BytesUploaded = 734003200; RejectPath = "/var/lib/ecommerce/asset-rejects/$table-20260301T101530Z.jsonl"; Duration = [timespan]::FromSeconds(754.2) })
        'EcommerceAws.Output.AssetReject' = @(
            New-Output AssetReject @{ ProductId = '65f1c0a1b2c3d4e5f6a7b8c9'; Image = '/uploads/products/samsung-galaxy-a15-front-view-high-resolution.jpg'; Reason = 'FileNotFound'; Detail = 'not under -SourceRoot /srv/shop' }
            New-Output AssetReject @{ ProductId = '65f1c0a1b2c3d4e5f6a7b8ca'; Image = 'https://cdn.example.cm/img/penja.png'; Reason = 'DownloadFailed'; Detail = 'HTTP 404' })
        'EcommerceAws.Output.CacheClusterInfo' = @(
            New-Output CacheClusterInfo @{ CacheClusterId = 'ecommerce-cameroon-production-redis'; Mode = 'ReplicationGroup'; Engine = 'redis'; EngineVersion = '7.1'; NodeType = 'cache.r7g.large'; Status = 'available'; Endpoint = 'master.ecommerce-cameroon-production-redis.abc123.apse1.cache.amazonaws.com:6379'; TransitEncryption = $true; RedisUrl = 'rediss://master.ecommerce-cameroon-production-redis.abc123.apse1.cache.amazonaws.com:6379'; Region = 'ap-southeast-1' }
            New-Output CacheClusterInfo @{ CacheClusterId = 'shop-cache'; Mode = 'Serverless'; Engine = 'valkey'; Status = 'creating'; Region = 'af-south-1' })
        'EcommerceAws.Output.CacheOperationResult' = @(
            New-Output CacheOperationResult @{ Operation = 'Warm'; RedisUrl = 'rediss://****@master.ecommerce-cameroon-production-redis.abc123.apse1.cache.amazonaws.com:6379/0'; KeysWritten = 128450; Products = 128000; Categories = 450; TableName = $table; Duration = [timespan]::FromSeconds(83.4) }
            New-Output CacheOperationResult @{ Operation = 'Clear'; RedisUrl = 'redis://127.0.0.1:6379'; KeysDeleted = 12; Patterns = @('product:*'); Duration = [timespan]::FromSeconds(0.04) })
        'EcommerceAws.Output.EcommerceAlarmInfo' = @(
            New-Output EcommerceAlarmInfo @{ AlarmName = 'ecommerce-cameroon-production-dynamodb-throttled-requests'; Namespace = 'AWS/DynamoDB'; MetricName = 'ThrottledRequests'; Statistic = 'Sum'; Threshold = 1; ComparisonOperator = 'GreaterThanOrEqualToThreshold'; Period = 300; EvaluationPeriods = 1; State = 'INSUFFICIENT_DATA'; Actions = @('arn:aws:sns:ap-southeast-1:123456789012:ops') }
            New-Output EcommerceAlarmInfo @{ AlarmName = 'ecommerce-cameroon-production-redis-memory'; Namespace = 'AWS/ElastiCache'; MetricName = 'DatabaseMemoryUsagePercentage'; Statistic = 'Average'; Threshold = 80; ComparisonOperator = 'GreaterThanThreshold'; Period = 300; EvaluationPeriods = 3; State = 'OK' })
        'EcommerceAws.Output.ConnectionTestResult' = @(
            New-Output ConnectionTestResult @{ Service = 'DynamoDB'; Target = $table; Reachable = $true; LatencyMs = 84; Note = 'Table ACTIVE, 1284553 items (approximate).' }
            New-Output ConnectionTestResult @{ Service = 'S3'; Target = $bucket; Reachable = $false; LatencyMs = 1203; Error = "Access to the bucket '$bucket' was denied: the credentials in use lack s3:ListBucket on it, or it belongs to another account." }
            New-Output ConnectionTestResult @{ Service = 'CDN'; Target = 'd111111abcdef8.cloudfront.net'; Reachable = $true; LatencyMs = 230; Note = 'HTTPS answered 403 Forbidden (server CloudFront).' }
            New-Output ConnectionTestResult @{ Service = 'Redis'; Skipped = $true; Note = 'Skipped: no -RedisUrl and no REDIS_URL in the environment.' }
            New-Output ConnectionTestResult @{ Service = 'MongoDB'; Target = 'mongodb://shop:****@db1.boutique-douala.cm:27017/shop?authSource=admin'; Reachable = $false; LatencyMs = 5004; Error = 'No MongoDB server answered at db1.boutique-douala.cm:27017 within 5 s (nothing listens there, or a firewall drops the connection).' })
        'EcommerceAws.Output.EcommerceStack' = @(
            New-Output EcommerceStack @{ Name = 'ecommerce-cameroon-production'; Region = 'ap-southeast-1'; TableName = $table; BucketName = $bucket; DistributionId = 'E2QWRUHAPOMQZL'; CdnDomain = 'd111111abcdef8.cloudfront.net'; CdnUrl = 'https://d111111abcdef8.cloudfront.net'; CacheClusterId = 'ecommerce-cameroon-production-redis'; RedisUrl = 'rediss://master.ecommerce-cameroon-production-redis.abc123.apse1.cache.amazonaws.com:6379'; Resources = @("Table $table (created)", "Bucket $bucket (found)", 'CDN E2QWRUHAPOMQZL (created, InProgress)') })
        'EcommerceAws.Output.EcommerceEnvironment' = @(
            New-Output EcommerceEnvironment @{ AWS_REGION = 'ap-southeast-1'; DYNAMODB_TABLE = $table; S3_BUCKET_NAME = $bucket; CLOUDFRONT_URL = 'https://d111111abcdef8.cloudfront.net'; REDIS_URL = 'rediss://master.ecommerce-cameroon-production-redis.abc123.apse1.cache.amazonaws.com:6379' })
        'EcommerceAws.Output.EnvFileResult' = @(
            New-Output EnvFileResult @{ Path = '/srv/boutique-douala/backend/.env'; Added = @('AWS_REGION', 'DYNAMODB_TABLE', 'S3_BUCKET_NAME'); Updated = @('CLOUDFRONT_URL'); Unchanged = @('REDIS_URL') })
        'EcommerceAws.Output.MigrationCostEstimate' = @(
            New-Output MigrationCostEstimate @{ Entity = 'Product'; Source = '/backups/dump/shop/products.bson'; ItemCount = 128000; Sampled = 1000; AverageItemBytes = 1843.6; MaxItemBytes = 412000; ItemsOver400KB = 1; WriteUnits = 384000; OnDemandCostUsd = 0.48; TimeAtOnDemandBaseline = [timespan]::FromSeconds(96); ProvisionedWcu = 5; TimeAtProvisionedWcu = [timespan]::FromSeconds(76800); StorageGbMonth = 0.472; ImportBytes = 294400000; ImportGb = 0.274181; ImportCostUsd = 0.041127; RecommendedMethod = 'Write' }
            New-Output MigrationCostEstimate @{ Entity = 'Order'; Source = '/backups/dump/shop/orders.bson'; ItemCount = 2500000; Sampled = 1000; AverageItemBytes = 3100; MaxItemBytes = 9800; WriteUnits = 12500000; OnDemandCostUsd = 15.625; TimeAtOnDemandBaseline = [timespan]::FromSeconds(3125); StorageGbMonth = 14.43; ImportBytes = 9000000000; ImportGb = 8.381903; ImportCostUsd = 1.257285; RecommendedMethod = 'Import' }
            New-Output MigrationCostEstimate @{ Entity = 'Total'; ItemCount = 2628000; WriteUnits = 12884000; OnDemandCostUsd = 16.105; TimeAtOnDemandBaseline = [timespan]::FromSeconds(3221); StorageGbMonth = 14.902; ImportBytes = 9294400000; ImportGb = 8.656084; ImportCostUsd = 1.298412; RecommendedMethod = 'Import' })
        'EcommerceAws.Output.MigrationResult' = @(
            New-Output MigrationResult @{ RunId = '20260301T101530Z-4f2a9c'; Entity = 'Category'; Source = '/backups/dump/shop/categories.bson'; TableName = $table; SourceCount = 450; Written = 450; WrittenThisRun = 450; Duration = [timespan]::FromSeconds(1.2); ItemsPerSecond = 375; State = 'Completed'; Checkpoint = '449' }
            New-Output MigrationResult @{ RunId = '20260301T101530Z-4f2a9c'; Entity = 'Product'; Source = 'mongodb://shop:****@db1.boutique-douala.cm:27017/shop'; TableName = $table; SourceCount = 128000; Written = 127997; Rejected = 3; WrittenThisRun = 64000; RejectedThisRun = 1; Duration = [timespan]::FromSeconds(754.2); ItemsPerSecond = 84.9; State = 'Completed'; Checkpoint = '65f1c0a1b2c3d4e5f6a7b8c9'; RejectPath = "/var/lib/ecommerce/rejects/$table-product.jsonl"; Notes = @("1 document rejected; see /var/lib/ecommerce/rejects/$table-product.jsonl.", 'Resumed from checkpoint 65f1c0a1b2c3d4e5f6a7b8c0.') }
            New-Output MigrationResult @{ RunId = '20260301T101530Z-4f2a9c'; Entity = 'Order'; Source = '/backups/dump/shop/orders.bson'; TableName = $table; SourceCount = 2500000; Written = 1250000; Duration = [timespan]::FromSeconds(3725); ItemsPerSecond = 335.6; State = 'Interrupted'; Checkpoint = '1250000' })
        'EcommerceAws.Output.MigrationStatusInfo' = @(
            New-Output MigrationStatusInfo @{ TableName = $table; Entity = 'Product'; RunId = '20260301T101530Z-4f2a9c'; State = 'Completed'; SourceCount = 128000; Written = 127997; Rejected = 3; Checkpoint = '65f1c0a1b2c3d4e5f6a7b8c9'; FinishedAt = [datetime]::new(2026, 3, 1, 10, 28, 4, [DateTimeKind]::Utc); LastVerificationPassed = $true }
            New-Output MigrationStatusInfo @{ TableName = $table; Entity = 'Order'; RunId = '20260301T113002Z-9b1e07'; State = 'Interrupted'; SourceCount = 2500000; Written = 1250000; Checkpoint = '7'; Message = 'Interrupted by the user (Ctrl+C).' })
        'EcommerceAws.Output.MigrationSyncResult' = @(
            New-Output MigrationSyncResult @{ TableName = $table; Entity = 'Product'; RunId = '4f2a9c1b7d3e'; Source = 'mongodb://shop:****@db1.boutique-douala.cm:27017/shop?replicaSet=rs0 (shop.products)'; State = 'Completed'; Phase = 'Drained'; EventsApplied = 1284553; EventsRejected = 12; EventsThisRun = 6854; StartPoint = '1772360130:17'; LagSeconds = 0; ResumePoint = '{ "_data" : "826B0F167C000007D100" }'; DrainedTo = '1772363730:4'; Duration = [timespan]::FromSeconds(48.4); EventsPerSecond = 141.6; Notes = @('A completed full load with a start point was found; only changes were applied.') }
            New-Output MigrationSyncResult @{ TableName = $table; Entity = 'User'; RunId = '9b1e07aa21c4'; Source = 'mongodb://shop:****@db1.boutique-douala.cm:27017/shop?replicaSet=rs0 (shop.users)'; State = 'Interrupted'; Phase = 'Streaming'; EventsApplied = 40211; EventsRejected = 3; EventsThisRun = 40211; StartPoint = '1772360130:17'; LagSeconds = 17.5; Duration = [timespan]::FromSeconds(3725); EventsPerSecond = 10.8 })
        'EcommerceAws.Output.MigrationVerification' = @(
            New-Output MigrationVerification @{ TableName = $table; Entity = 'Product'; Passed = $false; ExpectedCount = 127997; ActualCount = 127990; SampleSize = 100; Mismatches = @((New-Output MigrationMismatch @{ Id = '65f1c0a1b2c3d4e5f6a7b8c9'; Attribute = 'price'; Problem = 'table 27500, source 27500.5' })); Notes = @('The source now has 128010 documents; the status item says 128000.') }
            New-Output MigrationVerification @{ TableName = $table; Entity = 'Category'; Passed = $true; ExpectedCount = 450; ActualCount = 450; SampleSize = 100 })
        'EcommerceAws.Output.EcommerceIamPolicy' = @(Get-EcommerceIamPolicy -Scope Migrate -TableName $table -AccountId 123456789012 -Region ap-southeast-1)
        'EcommerceAws.Output.IamPolicyStatement' = @((Get-EcommerceIamPolicy -Scope Migrate -TableName $table -AccountId 123456789012 -Region ap-southeast-1).Statements | Select-Object -First 3)
        'EcommerceAws.Output.IamWildcardAction' = @((Get-EcommerceIamPolicy -Scope Provision -AccountId 123456789012 -Region ap-southeast-1).WildcardActions | Select-Object -First 3)
        'EcommerceAws.Output.IamOperationGrant' = @((Get-EcommerceIamPolicy -Scope Migrate -TableName $table -AccountId 123456789012 -Region ap-southeast-1).Operations | Select-Object -First 4)
        'EcommerceAws.Output.EcommerceItemPreview' = @(
            ConvertTo-EcommerceItem -Entity Product -InputObject '{"_id":{"$oid":"65f1a2b3c4d5e6f708192a3b"},"nameEn":"Penja white pepper","nameFr":"Poivre blanc de Penja","category":"Alimentation","price":{"$numberDecimal":"6500.50"},"stock":{"$numberInt":"40"}}'
            ConvertTo-EcommerceItem -Entity Product -InputObject '{"_id":{"$oid":"65f1a2b3c4d5e6f708192a3c"},"category":"Alimentation","price":{"$numberInt":"1"}}')
    }

    function Get-Rendered([object[]] $InputObject, [int] $Width) {
        # Trailing blanks are padding, not content; blank lines at either end are the formatter's margins.
        $text = ($InputObject | Out-String -Width $Width) -replace "`r", ''
        (($text -split "`n" | ForEach-Object TrimEnd) -join "`n").Trim("`n") + "`n"
    }
}

AfterAll {
    [cultureinfo]::CurrentCulture = $script:savedCulture
}

Describe 'Default views at 80 and 120 columns' -Tag Unit {
    It 'has real sample objects for <TypeName> (<File>)' -ForEach $script:viewCases {
        $script:samples.Keys | Should -Contain $TypeName -Because 'every view is rendered from real objects; add samples for a new view'
        @($script:samples[$TypeName])[0].GetType().FullName | Should -Be $TypeName
    }

    It '<TypeName> at <Width> columns matches tests/Snapshots' -ForEach @(foreach ($case in $script:viewCases) { foreach ($w in $script:widths) { $case + @{ Width = $w } } }) {
        $rendered = Get-Rendered $script:samples[$TypeName] $Width
        $file = Join-Path $script:snapshots "$($TypeName -replace '^EcommerceAws\.Output\.', '').$Width.txt"
        if ($script:update) {
            New-Item -ItemType Directory -Force (Split-Path $file) | Out-Null
            [System.IO.File]::WriteAllText($file, $rendered)
        }
        $file | Should -Exist -Because 'regenerate the snapshots with $env:ECOM_UPDATE_SNAPSHOTS=1'
        $rendered | Should -BeExactly ([System.IO.File]::ReadAllText($file)) -Because "the view of $TypeName changed; review it and regenerate with `$env:ECOM_UPDATE_SNAPSHOTS=1"
        foreach ($line in $rendered -split "`n") { $line.Length | Should -BeLessOrEqual $Width }
    }

    It 'shows every column header of <TypeName> in full at <Width> columns' -ForEach @(foreach ($case in $script:viewCases | Where-Object Kind -eq 'Table') { foreach ($w in $script:widths) { $case + @{ Width = $w } } }) {
        $lines = @((Get-Rendered $script:samples[$TypeName] $Width) -split "`n")
        # Header line, then the dashes line: a column squeezed below its label wraps the label or cuts it with '…'.
        $dashIndex = [array]::FindIndex($lines, [Predicate[string]] { param($l) $l -match '^[- ]+$' -and $l -match '-' })
        $dashIndex | Should -Be 1 -Because 'the header takes exactly one line when no column is squeezed below its label'
        $header = $lines[0]
        $dashes = [regex]::Matches($lines[1], '-+')
        $dashes.Count | Should -Be $Labels.Count -Because 'every column of the view is shown'
        for ($i = 0; $i -lt $Labels.Count; $i++) {
            $cell = $header.Substring($dashes[$i].Index, [Math]::Min($dashes[$i].Length, $header.Length - $dashes[$i].Index)).Trim()
            $cell | Should -BeExactly $Labels[$i]
        }
    }
}

Describe 'Money in views' -Tag Unit {
    It 'shows a price with the decimals it has, never rounded' {
        $p = $script:samples['EcommerceAws.Output.EcommerceProduct']
        $text = Get-Rendered $p 120
        $text | Should -Match '27,500\.5\b'
        $text | Should -Match '1,250,000\.25\b'
        $text | Should -Match '\b6,500\b'
        $text | Should -Not -Match '27,501'
    }
}

Describe 'Enums in ConvertTo-Json' -Tag Unit {
    It 'writes <Type> values as their names' -ForEach @(
        @{ Type = 'MigrationState'; Value = 'Completed' }
        @{ Type = 'EcommerceEntity'; Value = 'Order' }
        @{ Type = 'CacheMode'; Value = 'ReplicationGroup' }
        @{ Type = 'CacheEngine'; Value = 'Valkey' }
        @{ Type = 'IamPolicyScope'; Value = 'Migrate' }
        @{ Type = 'BillingMode'; Value = 'Provisioned' }
        @{ Type = 'ProductSelection'; Value = 'Category' }
    ) {
        $value = [enum]::Parse("EcommerceAws.Contract.$Type" -as [type], $Value)
        [pscustomobject]@{ V = $value } | ConvertTo-Json -Compress | Should -BeExactly "{`"V`":`"$Value`"}"
    }

    It 'writes the State and Entity of a migration result as text' {
        $json = $script:samples['EcommerceAws.Output.MigrationResult'][1] | ConvertTo-Json -Depth 3 | ConvertFrom-Json
        $json.State | Should -BeExactly 'Completed'
        $json.Entity | Should -BeExactly 'Product'
        ($script:samples['EcommerceAws.Output.CacheClusterInfo'][0] | ConvertTo-Json | ConvertFrom-Json).Mode | Should -BeExactly 'ReplicationGroup'
    }
}

Describe 'Short forms the views share' -Tag Unit {
    It 'writes <Seconds> s as "<Text>"' -ForEach @(
        @{ Seconds = 0.04; Text = '0.0 s' }, @{ Seconds = 1.2; Text = '1.2 s' }, @{ Seconds = 42; Text = '42 s' }
        @{ Seconds = 59.6; Text = '1 min' }, @{ Seconds = 754.2; Text = '12 min 34 s' }, @{ Seconds = 10000; Text = '2 h 47 min' }
        @{ Seconds = 3600; Text = '1 h' }, @{ Seconds = 76800; Text = '21 h 20 min' }, @{ Seconds = 200000; Text = '2 d 8 h' }
    ) {
        [EcommerceAws.Output.DisplayText]::Duration([timespan]::FromSeconds($Seconds)) | Should -BeExactly $Text
    }

    It 'counts <Count> <Noun> as "<Text>"' -ForEach @(
        @{ Count = 1; Noun = 'document'; Text = '1 document' }, @{ Count = 3; Noun = 'document'; Text = '3 documents' }
        @{ Count = 2; Noun = 'category'; Text = '2 categories' }, @{ Count = 0; Noun = 'product'; Text = '0 products' }
        @{ Count = 1250; Noun = 'key'; Text = '1,250 keys' }
    ) {
        [EcommerceAws.Output.DisplayText]::Count($Count, $Noun) | Should -BeExactly $Text
    }
}
