# The policies Get-EcommerceIamPolicy emits, proven: one IAM user per scope holding exactly that scope's policy runs the
# scope's part of the runbook against moto with IAM enforcement on, and any AccessDenied fails the test. A negative
# control per scope drops one action the runbook needs and must see it denied.
#
# What moto can and cannot check (README "stand-ins vs real AWS"):
# - Enforcement is server-wide, so this file starts its own moto (and its own Redis) and stops them after.
# - moto checks non-S3 requests against resource "*" only: non-S3 statements get Resource "*" here (actions are still
#   checked); S3 is checked against the real bucket and object ARNs.
# - moto names a few requests differently (S3 sub-resources it does not list, CloudFront's CreateDistributionWithTags):
#   ConvertTo-MotoEnforcedPolicy adds moto's name next to each real action, in this test only.
# - What moto cannot see (s3:ListBucket turning HeadObject's 403 into 404, KMS) is checked on the policy itself below.
BeforeDiscovery {
    $script:scopes = 'Provision', 'Migrate', 'Operate'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'IamPolicyHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../TestServices.psm1') -Force
    Import-EcommerceAws

    $script:account = '123456789012'
    $script:repo = Join-Path $PSScriptRoot '../..'
    $logDir = if ($env:ECOM_REPO_ROOT) { Join-Path $env:ECOM_REPO_ROOT 'out/logs' } else { Join-Path ([System.IO.Path]::GetTempPath()) 'ecom-logs' }
    $script:saved = @{}
    foreach ($name in 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION') {
        $script:saved[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    $script:moto = Start-MotoServer $logDir
    $script:redis = Start-RedisServer $logDir
    $env:AWS_ENDPOINT_URL = $script:moto.Url
    $env:AWS_REGION = 'us-east-1'
    $env:AWS_SESSION_TOKEN = $null
    $env:AWS_PROFILE = $null

    function Invoke-Iam {
        # The AWS CLI against the private moto with the current keys; JSON parsed; throws on failure.
        param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
        $env:AWS_MAX_ATTEMPTS = '1'; $env:AWS_PAGER = ''
        $output = & /usr/bin/aws --endpoint-url $script:moto.Url --region us-east-1 --output json @Arguments 2>&1
        if ($LASTEXITCODE -ne 0) { throw "aws $($Arguments -join ' ') failed: $($output -join "`n")" }
        $text = ($output | ForEach-Object { "$_" }) -join "`n"
        if ($text.Trim()) { $text | ConvertFrom-Json -Depth 20 }
    }
    function Use-Keys($Key) { $env:AWS_ACCESS_KEY_ID = $Key.AccessKeyId; $env:AWS_SECRET_ACCESS_KEY = $Key.SecretAccessKey }

    # Users and keys while moto still answers unauthenticated calls; then enforcement on for every later request.
    $script:keys = @{}
    foreach ($user in @('ecom-admin') + @($scopes | ForEach-Object { "ecom-$($_.ToLowerInvariant())" })) {
        Invoke-Iam iam create-user --user-name $user | Out-Null
        $script:keys[$user] = (Invoke-Iam iam create-access-key --user-name $user).AccessKey
    }
    Invoke-Iam iam put-user-policy --user-name ecom-admin --policy-name all `
        --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' | Out-Null
    # The body must be text (a form post makes moto answer 500); 0 = no more unauthenticated calls.
    $reset = Invoke-RestMethod -Method Post -Uri "$($script:moto.Url)/moto-api/reset-auth" -ContentType 'text/plain' -Body '0'
    if ($reset.status -ne 'ok') { throw "moto did not switch IAM enforcement on: $($reset | ConvertTo-Json -Compress)" }
    Use-Keys $script:keys['ecom-admin']

    function Set-ScopePolicy([string] $Scope, [string] $Json) {
        $file = Join-Path ([System.IO.Path]::GetTempPath()) "ecom-iam-$([guid]::NewGuid().ToString('N')).json"
        Set-Content -Path $file -Value $Json
        try {
            Use-Keys $script:keys['ecom-admin']
            Invoke-Iam iam put-user-policy --user-name "ecom-$($Scope.ToLowerInvariant())" --policy-name runbook --policy-document "file://$file" | Out-Null
        }
        finally { Remove-Item $file }
    }

    function Invoke-AsScope {
        <#
        Runs the script block with the scope user's keys and every stream captured (errors, warnings and verbose
        lines: a side look-up that is denied may only show there). Returns the lines and the ones that say "denied".
        #>
        param([string] $Scope, [scriptblock] $Script)
        Use-Keys $script:keys["ecom-$($Scope.ToLowerInvariant())"]
        $lines = [System.Collections.Generic.List[string]]::new()
        try {
            & $Script *>&1 | ForEach-Object {
                $text = if ($_ -is [System.Management.Automation.ErrorRecord]) { "ERROR $($_.FullyQualifiedErrorId): $($_.Exception.Message)" } else { "$_" }
                $lines.Add($text)
            }
        }
        catch { $lines.Add("ERROR $($_.FullyQualifiedErrorId): $($_.Exception.Message)") }
        finally { Use-Keys $script:keys['ecom-admin'] }
        [pscustomobject]@{
            Lines = $lines.ToArray()
            Denied = @($lines | Where-Object { $_ -match 'AccessDenied|Access Denied|not authorized|is not allowed|InvalidClientTokenId|SignatureDoesNotMatch' })
            Errors = @($lines | Where-Object { $_ -like 'ERROR *' })
        }
    }

    $script:stackName = New-TestName 'iam'
    $script:uploads = Join-Path $TestDrive 'uploads'
    New-Item -ItemType Directory -Path (Join-Path $uploads 'products') -Force | Out-Null
    # The images the sample products name (/uploads/products/<slug>.jpg): small JPEGs.
    $jpeg = [byte[]](0xFF, 0xD8, 0xFF, 0xE0) + [byte[]]::new(512)
    foreach ($match in [regex]::Matches((Get-Content -Raw (Join-Path $repo 'samples/shop/products.json')), '/uploads/products/([a-z0-9-]+\.jpg)')) {
        [IO.File]::WriteAllBytes((Join-Path $uploads "products/$($match.Groups[1].Value)"), $jpeg)
    }
    function Get-MotoLogLength { @(Get-MotoLogLine).Count }
    function Get-MotoLogLine([int] $From = 0) {
        # moto's request log (werkzeug writes it to stderr; Start-MotoServer keeps both streams).
        $lines = foreach ($file in $script:moto.Log, "$($script:moto.Log).err") { if (Test-Path $file) { Get-Content $file } }
        @($lines) | Select-Object -Skip $From
    }
    $script:work = Join-Path $TestDrive 'work'
    New-Item -ItemType Directory -Path $work | Out-Null
    $script:stack = $null
}

AfterAll {
    # Unset what was unset: [Environment]::SetEnvironmentVariable(name, $null) from PowerShell passes "" (an empty
    # AWS_PROFILE then breaks every later AWS CLI call and moto start with "The config profile () could not be found").
    foreach ($name in $script:saved.Keys) {
        if ($null -eq $script:saved[$name]) { Remove-Item "Env:$name" -ErrorAction SilentlyContinue } else { Set-Item "Env:$name" $script:saved[$name] }
    }
    $script:moto, $script:redis | Stop-TestService
}

Describe 'Each scope''s policy, enforced by moto, covers that scope''s runbook' -Tag Integration {
    It 'Provision: New-EcommerceStack (and again, converging), Get-EcommerceStack, Get-EcommerceEnvironment' {
        $policy = Get-EcommerceIamPolicy -Scope Provision -Name $stackName -AccountId $account -Region us-east-1
        Set-ScopePolicy Provision (ConvertTo-MotoEnforcedPolicy $policy.Json)
        $run = Invoke-AsScope Provision {
            $script:stack = New-EcommerceStack -Name $stackName -Confirm:$false -ErrorAction Stop
            New-EcommerceStack -Name $stackName -Confirm:$false -ErrorAction Stop | Out-Null
            Get-EcommerceStack -Name $stackName -ErrorAction Stop | Get-EcommerceEnvironment -ErrorAction Stop | Out-Null
        }
        $run.Denied | Should -BeNullOrEmpty
        $run.Errors | Should -BeNullOrEmpty
        $script:stack.DistributionId | Should -Not -BeNullOrEmpty
        $script:stack.CacheClusterId | Should -Be "$stackName-redis"
        # really there (checked with the admin's keys)
        (Invoke-Iam dynamodb describe-table --table-name $stackName).Table.TableStatus | Should -Be 'ACTIVE'
    }

    It 'Migrate: migration, verification, status, product cmdlets and the cache warm-up (Publish-ProductAsset by its grants)' {
        $script:stack | Should -Not -BeNullOrEmpty -Because 'the Provision step created the stack'
        $policy = $script:stack | Get-EcommerceIamPolicy -Scope Migrate -AccountId $account
        Set-ScopePolicy Migrate (ConvertTo-MotoEnforcedPolicy $policy.Json)
        $logBefore = Get-MotoLogLength
        $run = Invoke-AsScope Migrate {
            $shop = Join-Path $repo 'samples/shop'
            $script:migrated = @($script:stack | Invoke-EcommerceMigration -Path $shop -RejectPath $work -Confirm:$false -ErrorAction Stop)
            Test-EcommerceMigration -TableName $stackName -Entity Product -Path (Join-Path $shop 'products.json') -SampleSize 10 -ErrorAction Stop | Out-Null
            Get-MigrationStatus -TableName $stackName -ErrorAction Stop | Out-Null
            Measure-MigrationCost -Path $shop -TableName $stackName -ErrorAction Stop | Out-Null
            # Publish-ProductAsset is not run here: moto's enforcement miscomputes the SigV4 signature of S3 ListObjectsV2
            # (a GET with query values) and answers SignatureDoesNotMatch; its s3:ListBucket grant is checked on the document below.
            $product = New-EcommerceProduct -TableName $stackName -NameEn 'IAM check' -Price 1000 -Category Electronics -Confirm:$false -ErrorAction Stop
            Set-EcommerceProduct -TableName $stackName -Id $product.Id -Price 1500 -Confirm:$false -ErrorAction Stop | Out-Null
            Get-EcommerceProduct -TableName $stackName -Category Electronics -ErrorAction Stop | Out-Null
            Remove-EcommerceProduct -TableName $stackName -Id $product.Id -Confirm:$false -ErrorAction Stop | Out-Null
            Initialize-EcommerceCache -TableName $stackName -RedisUrl $script:redis.Url -Confirm:$false -ErrorAction Stop | Out-Null
        }
        $run.Denied | Should -BeNullOrEmpty
        $run.Errors | Should -BeNullOrEmpty
        ($script:migrated | Measure-Object Written -Sum).Sum | Should -Be 150
        # Publish-ProductAsset lists products/ once (ListObjectsV2 → s3:ListBucket on the bucket ARN) and uploads
        # conditionally (s3:PutObject on products/*): the Migrate policy must grant both on this stack's bucket.
        $statements = @(Get-PolicyStatement $policy.Json)
        @($statements | Where-Object { 's3:ListBucket' -in $_.Action } | ForEach-Object Resource) | Should -Contain "arn:aws:s3:::$($script:stack.BucketName)"
        $putResources = @($statements | Where-Object { 's3:PutObject' -in $_.Action } | ForEach-Object Resource)
        @($putResources | Where-Object { "arn:aws:s3:::$($script:stack.BucketName)/products/p1/image.jpg" -like $_ }).Count | Should -BeGreaterThan 0 -Because 'the uploads go to products/*'
    }

    It 'Migrate: Sync-EcommerceMigration (versioned PutItem/DeleteItem, GSI1 e-mail look-ups, tombstone sweep) and Test-EcommerceMigration -Full' {
        $script:stack | Should -Not -BeNullOrEmpty -Because 'the Provision step created the stack'
        # A private one-node replica set (change streams) of the MongoDB wire test server.
        $startInfo = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        foreach ($argument in @($env:ECOM_MONGOWIRE_DLL, 'serve', '--port', '0', '--exit-on-stdin-eof', '--replica-set', 'rs0')) { $startInfo.ArgumentList.Add($argument) }
        $startInfo.UseShellExecute = $false; $startInfo.RedirectStandardOutput = $true; $startInfo.RedirectStandardInput = $true
        $rs = [System.Diagnostics.Process]::Start($startInfo)
        try {
            $null = $rs.StandardOutput.ReadLine() -match '^LISTENING (\d+)$'
            $uri = "mongodb://127.0.0.1:$($Matches[1])/iamsync?replicaSet=rs0"
            $docs = Join-Path $work 'sync-users.json'
            Set-Content $docs @(
                '{"_id":"u1","name":"A","email":"a@shop.cm","passwordHash":"x"}',
                '{"_id":"u2","name":"B","email":"b@shop.cm","passwordHash":"y"}',
                '{"_id":"u3","name":"C","email":"c@shop.cm","passwordHash":"z"}')
            $null = & dotnet $env:ECOM_MONGOWIRE_DLL client --uri $uri --db iamsync --collection users insert --file $docs
            $policy = $script:stack | Get-EcommerceIamPolicy -Scope Migrate -AccountId $account
            Set-ScopePolicy Migrate (ConvertTo-MotoEnforcedPolicy $policy.Json)
            $run = Invoke-AsScope Migrate {
                $null = Sync-EcommerceMigration -TableName $stackName -MongoUri $uri -Entity User -Restart -Drain -RejectPath $work -Confirm:$false -ErrorAction Stop
                $null = & dotnet $env:ECOM_MONGOWIRE_DLL client --uri $uri --db iamsync --collection users update --id '"u1"' --update '{"$set":{"email":"new@shop.cm"}}'
                $null = & dotnet $env:ECOM_MONGOWIRE_DLL client --uri $uri --db iamsync --collection users delete --id '"u2"'
                $script:synced = Sync-EcommerceMigration -TableName $stackName -MongoUri $uri -Entity User -Drain -RejectPath $work -Confirm:$false -ErrorAction Stop
                $script:fullCheck = Test-EcommerceMigration -TableName $stackName -MongoUri $uri -Entity User -Full -ErrorAction Stop
            }
            $run.Denied | Should -BeNullOrEmpty
            $run.Errors | Should -BeNullOrEmpty
            $script:synced.EventsThisRun | Should -Be 2
            # The users Invoke-EcommerceMigration wrote from samples/shop have no document in this source: -Full counts them as Extra.
            $script:fullCheck.Missing | Should -Be 0
            $script:fullCheck.Different | Should -Be 0
            $script:fullCheck.Extra | Should -Be (@($script:migrated | Where-Object Entity -eq 'User')[0].Written)
        }
        finally { $rs.Kill($true); $null = $rs.WaitForExit(5000) }
    }

    It 'Operate: alarms, status, the clean-up plan, CDN invalidation and the connection test' {
        $script:stack | Should -Not -BeNullOrEmpty -Because 'the Provision step created the stack'
        $policy = $script:stack | Get-EcommerceIamPolicy -Scope Operate -AccountId $account
        Set-ScopePolicy Operate (ConvertTo-MotoEnforcedPolicy $policy.Json)
        $run = Invoke-AsScope Operate {
            $script:alarms = @($script:stack | New-EcommerceAlarm -Confirm:$false -ErrorAction Stop)
            Get-EcommerceAlarm -TableName $stackName -ErrorAction Stop | Out-Null
            Get-MigrationStatus -TableName $stackName -ErrorAction Stop | Out-Null
            Get-EcommerceStack -Name $stackName -ErrorAction Stop | Out-Null
            Remove-EcommerceStack -Name $stackName -Force -WhatIf -ErrorAction Stop
            Clear-AssetCdnCache -DistributionId $script:stack.DistributionId -Path '/products/*' -Confirm:$false -ErrorAction Stop | Out-Null
            Test-EcommerceConnection -TableName $stackName -BucketName $script:stack.BucketName -RedisUrl $script:redis.Url -ErrorAction Stop | Out-Null
        }
        $run.Denied | Should -BeNullOrEmpty
        $run.Errors | Should -BeNullOrEmpty
        $script:alarms.Count | Should -BeGreaterThan 2
        @($script:alarms | Where-Object { $_.AlarmName -like "*$stackName-redis*" }).Count | Should -BeGreaterThan 0 -Because 'the cache alarm needs ElastiCache Describe*'
    }
}

Describe 'Negative control: without one needed action the same step is denied' -Tag Integration {
    It '<Scope> without <Action> is refused' -ForEach @(
        @{ Scope = 'Provision'; Action = 'dynamodb:CreateTable' }
        @{ Scope = 'Migrate'; Action = 'dynamodb:BatchWriteItem' }
        @{ Scope = 'Operate'; Action = 'elasticache:DescribeCacheClusters' }
    ) {
        $script:stack | Should -Not -BeNullOrEmpty -Because 'the Provision step created the stack'
        switch ($Scope) {
            'Provision' {
                $fresh = New-TestName 'iamneg'
                $policy = Get-EcommerceIamPolicy -Scope Provision -Name $fresh -AccountId $account -Region us-east-1
                Set-ScopePolicy Provision (ConvertTo-MotoEnforcedPolicy $policy.Json -Drop $Action)
                $run = Invoke-AsScope Provision { New-EcommerceStack -Name $fresh -SkipCdn -SkipCache -Confirm:$false -ErrorAction Stop | Out-Null }
            }
            'Migrate' {
                $policy = $script:stack | Get-EcommerceIamPolicy -Scope Migrate -AccountId $account
                Set-ScopePolicy Migrate (ConvertTo-MotoEnforcedPolicy $policy.Json -Drop $Action)
                $run = Invoke-AsScope Migrate {
                    Invoke-CategoryMigration -TableName $stackName -Path (Join-Path $repo 'samples/shop/categories.json') -RejectPath $work -Restart -Confirm:$false -ErrorAction Stop | Out-Null
                }
            }
            'Operate' {
                $policy = $script:stack | Get-EcommerceIamPolicy -Scope Operate -AccountId $account
                Set-ScopePolicy Operate (ConvertTo-MotoEnforcedPolicy $policy.Json -Drop $Action)
                $run = Invoke-AsScope Operate { $script:stack | New-EcommerceAlarm -Confirm:$false -ErrorAction Stop | Out-Null }
            }
        }
        $run.Denied | Should -Not -BeNullOrEmpty -Because "the policy lacks $Action"
        ($run.Denied -join "`n") | Should -Match ([regex]::Escape($Action.Split(':')[1]))
    }
}
