# Tab completion as a user meets it, through TabExpansion2: live names from moto, the typed prefix filters, never file
# names, and nothing at all (no error, no output on any stream, no hang) without credentials or when AWS does not answer.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../TestServices.psm1') -Force   # Get-FreePort
    Import-EcommerceAws

    function Get-Completion([string] $Line) {
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches)
    }

    # Unique prefixes; the completers' cache is per kind/region/profile/endpoint, so everything is created first.
    $script:prefix = New-TestName 'tab'
    $script:tables = "$prefix-orders", "$prefix-shop"
    $script:buckets = "$prefix-assets", "$prefix-logs"
    $script:cacheId = "$prefix-redis"
    $script:alarm = "$prefix-throttles"
    foreach ($t in $tables) {
        Invoke-AwsCli dynamodb create-table --table-name $t --attribute-definitions 'AttributeName=PK,AttributeType=S' `
            --key-schema 'AttributeName=PK,KeyType=HASH' --billing-mode PAY_PER_REQUEST | Out-Null
    }
    foreach ($b in $buckets) { Invoke-AwsCli s3api create-bucket --bucket $b | Out-Null }
    $script:distribution = (Invoke-AwsCli cloudfront create-distribution --origin-domain-name "$($buckets[0]).s3.amazonaws.com").Distribution.Id
    Invoke-AwsCli elasticache create-cache-cluster --cache-cluster-id $cacheId --engine redis --cache-node-type cache.t3.micro --num-cache-nodes 1 | Out-Null
    Invoke-AwsCli cloudwatch put-metric-alarm --alarm-name $alarm --namespace AWS/DynamoDB --metric-name ThrottledRequests `
        --statistic Sum --period 60 --evaluation-periods 1 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold | Out-Null

    # A folder whose files start like the names: file names must never be offered.
    $script:work = Join-Path ([System.IO.Path]::GetTempPath()) "ecom-tab-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Force -Path $work
    foreach ($f in "$prefix-file.txt", 'us-file.txt', 'af-notes.txt') { Set-Content -Path (Join-Path $work $f) -Value x }
    Push-Location $work

    $script:closedPort = Get-FreePort   # nothing listens there
}

AfterAll {
    if ($script:work) {
        Pop-Location
        Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
    }
    foreach ($t in $tables) { Invoke-AwsCli dynamodb delete-table --table-name $t | Out-Null }
    foreach ($b in $buckets) { Invoke-AwsCli s3api delete-bucket --bucket $b | Out-Null }
    Invoke-AwsCli cloudwatch delete-alarms --alarm-names $alarm | Out-Null
}

Describe 'Names from AWS' -Tag Integration {
    It '-TableName offers the tables that start with the typed prefix, on <Command>' -ForEach @(
        @{ Command = 'Get-EcommerceTable' }, @{ Command = 'Remove-EcommerceTable' }, @{ Command = 'Invoke-ProductMigration' },
        @{ Command = 'Get-MigrationStatus' }, @{ Command = 'Get-EcommerceStack' }, @{ Command = 'Get-EcommerceProduct' }
    ) {
        $found = Get-Completion "$Command -TableName $prefix"
        $found.CompletionText | Should -Be $tables
        $found.ResultType | Sort-Object -Unique | Should -Be 'ParameterValue'
    }

    It 'a longer prefix filters, case-insensitively; a wildcard works too' {
        (Get-Completion "Get-EcommerceTable -TableName $($prefix.ToUpper())-S").CompletionText | Should -Be "$prefix-shop"
        (Get-Completion "Get-EcommerceTable -TableName $prefix*shop").CompletionText | Should -Be "$prefix-shop"
        (Get-Completion "Get-EcommerceTable -TableName '$prefix-o").CompletionText | Should -Be "'$prefix-orders'"
    }

    It 'never offers file names, even when none of the names match' {
        Get-Completion "Get-EcommerceTable -TableName $prefix-fi" | Should -BeNullOrEmpty
        (Get-Completion "Get-EcommerceTable -TableName $prefix").CompletionText | Should -Not -Contain "./$prefix-file.txt"
        (Get-Completion 'Get-EcommerceTable -Region us').CompletionText | Should -Not -Contain './us-file.txt'
    }

    It '-BucketName offers buckets (<Command>)' -ForEach @(@{ Command = 'Get-AssetBucket' }, @{ Command = 'New-AssetCdn' }, @{ Command = 'Publish-ProductAsset' }) {
        (Get-Completion "$Command -BucketName $prefix").CompletionText | Should -Be $buckets
    }

    It '-DistributionId offers distributions with their domain in the tooltip' {
        $match = Get-Completion "Get-AssetCdn -DistributionId " | Where-Object CompletionText -eq $distribution
        $match | Should -Not -BeNullOrEmpty
        $match.ToolTip | Should -Match '\.cloudfront\.net'   # moto lists no origins in summaries; AWS does, and they are shown too
    }

    It '-CacheClusterId offers cache clusters' {
        $match = Get-Completion "Get-CacheCluster -CacheClusterId $prefix"
        $match.CompletionText | Should -Be $cacheId
        $match.ToolTip | Should -Match 'cache cluster'
    }

    It '-AlarmName offers alarm names with their state' {
        $match = Get-Completion "Get-EcommerceAlarm -AlarmName $prefix"
        $match.CompletionText | Should -Be $alarm
        $match.ToolTip | Should -Match '\((OK|ALARM|INSUFFICIENT_DATA)\)'
    }

    It 'answers from a 60-second cache per endpoint: a table created after the first Tab shows only under another endpoint key' {
        $late = "$prefix-late"
        (Get-Completion "Get-EcommerceTable -TableName $prefix").CompletionText | Should -Not -Contain $late
        Invoke-AwsCli dynamodb create-table --table-name $late --attribute-definitions 'AttributeName=PK,AttributeType=S' `
            --key-schema 'AttributeName=PK,KeyType=HASH' --billing-mode PAY_PER_REQUEST | Out-Null
        try {
            (Get-Completion "Get-EcommerceTable -TableName $prefix").CompletionText | Should -Not -Contain $late -Because 'the cached answer is reused'
            (Get-Completion "Get-EcommerceTable -EndpointUrl $env:AWS_ENDPOINT_URL/ -TableName $prefix").CompletionText | Should -Contain $late
        }
        finally { Invoke-AwsCli dynamodb delete-table --table-name $late | Out-Null }
    }
}

Describe 'Regions and profiles (offline)' -Tag Integration {
    It '-Region offers the configured partition''s regions with their names; a prefix filters' {
        $all = Get-Completion 'New-EcommerceTable -Region '
        $all.CompletionText | Should -Contain 'af-south-1'
        $all.CompletionText | Should -Contain 'us-east-1'
        $all.CompletionText | Should -Not -Contain 'cn-north-1' -Because 'AWS_REGION=us-east-1 is in the aws partition'
        $all.CompletionText | Should -Not -Contain 'us-east-1-regional' -Because 'only names -Region accepts'
        $af = Get-Completion 'New-EcommerceTable -Region af'
        $af.CompletionText | Should -Be 'af-south-1'
        $af.ToolTip | Should -Match 'Cape Town'
    }

    It '-Region follows the partition of the configured region (China)' {
        $saved = $env:AWS_REGION
        try {
            $env:AWS_REGION = 'cn-north-1'
            (Get-Completion 'Get-EcommerceTable -Region ').CompletionText | Should -Be 'cn-north-1', 'cn-northwest-1'
        }
        finally { $env:AWS_REGION = $saved }
    }

    It '-ProfileName offers the profiles of AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE' {
        $saved = $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE
        try {
            $env:AWS_CONFIG_FILE = Join-Path $work 'config'
            $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $work 'credentials'
            Set-Content $env:AWS_CONFIG_FILE "[profile shop-prod]`nregion = af-south-1`n`n[profile shop-china]`nregion = cn-northwest-1`n`n[sso-session corp]`nsso_region = eu-west-1"
            Set-Content $env:AWS_SHARED_CREDENTIALS_FILE "[ci-runner]`naws_access_key_id = AKIAEXAMPLE`naws_secret_access_key = not-a-real-secret"
            $all = Get-Completion 'Get-EcommerceTable -ProfileName '
            $all.CompletionText | Should -Be 'ci-runner', 'shop-china', 'shop-prod'
            ($all | Where-Object CompletionText -eq 'shop-prod').ToolTip | Should -Be 'shop-prod (af-south-1)'
            $all.ToolTip | Should -Not -Match 'not-a-real-secret|AKIAEXAMPLE'
            (Get-Completion 'Get-EcommerceTable -ProfileName shop-p').CompletionText | Should -Be 'shop-prod'
            # the profile typed first picks the partition for -Region
            (Get-Completion 'Get-EcommerceTable -ProfileName shop-china -Region ').CompletionText | Should -Be 'cn-north-1', 'cn-northwest-1'
        }
        finally { $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE = $saved }
    }
}

Describe 'Nothing at all when AWS cannot answer' -Tag Integration {
    BeforeAll {
        # A fresh pwsh: Tab with the given environment; reports the matches, the time, $Error and every other stream.
        function Invoke-TabInFreshPwsh([string[]] $Lines, [string] $Prelude = '') {
            $quoted = ($Lines | ForEach-Object { "'" + ($_ -replace "'", "''") + "'" }) -join ', '
            $run = Invoke-FreshPwsh -Script @"
$Prelude
Import-Module '$env:ECOM_MODULE_PATH'
`$null = TabExpansion2 -inputScript 'Get-EcommerceTable -Region ' -cursorColumn 27   # loads the engine: measure Tab, not the first load
`$Error.Clear()
`$report = foreach (`$line in @($quoted)) {
    `$clock = [Diagnostics.Stopwatch]::StartNew()
    `$streams = @(& { TabExpansion2 -inputScript `$line -cursorColumn `$line.Length } *>&1)
    `$ms = `$clock.ElapsedMilliseconds
    `$completion = `$streams | Where-Object { `$_ -is [System.Management.Automation.CommandCompletion] }
    [pscustomobject]@{
        Line    = `$line
        Matches = @(`$completion.CompletionMatches.CompletionText)
        Ms      = `$ms
        Other   = @(`$streams | Where-Object { `$_ -isnot [System.Management.Automation.CommandCompletion] } | ForEach-Object { "`$_" })
    }
}
[pscustomobject]@{ Errors = @(`$Error | ForEach-Object { "`$_" }); Report = @(`$report) } | ConvertTo-Json -Depth 4 -Compress
"@
            $json = $run.Output | Where-Object { $_ -like '{*' } | Select-Object -Last 1
            [pscustomobject]@{ Run = $run; Result = ($json | ConvertFrom-Json); Noise = @($run.Output | Where-Object { $_ -notlike '{*' } | ForEach-Object { $_ -replace '\x1b\[[0-9;]*[A-Za-z]', '' }) }
        }
        $script:everyKind = {
            param([string] $Extra)
            "Get-EcommerceTable $Extra -TableName ", "Get-AssetBucket $Extra -BucketName ", "Get-AssetCdn $Extra -DistributionId ",
            "Get-CacheCluster $Extra -CacheClusterId ", "Get-EcommerceAlarm $Extra -AlarmName "
        }
    }

    It 'an endpoint where nothing listens: nothing, within 3 s per Tab, no error, no output' {
        $outcome = Invoke-TabInFreshPwsh -Lines (& $everyKind "-EndpointUrl http://127.0.0.1:$closedPort")
        $outcome.Run.ExitCode | Should -Be 0
        $outcome.Noise | Should -BeNullOrEmpty
        $outcome.Result.Errors | Should -BeNullOrEmpty
        foreach ($entry in $outcome.Result.Report) {
            $entry.Matches | Should -BeNullOrEmpty -Because $entry.Line
            $entry.Other | Should -BeNullOrEmpty -Because $entry.Line
            $entry.Ms | Should -BeLessThan 3000 -Because $entry.Line
        }
    }

    It 'an endpoint that accepts connections and never answers: Tab gives up after about 2 s' {
        $silent = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $silent.Start()   # the kernel accepts connections; nobody ever reads or answers
        try {
            $line = "Get-EcommerceTable -EndpointUrl http://127.0.0.1:$($silent.LocalEndpoint.Port) -TableName "
            $outcome = Invoke-TabInFreshPwsh -Lines $line, $line
            $outcome.Noise | Should -BeNullOrEmpty
            $outcome.Result.Errors | Should -BeNullOrEmpty
            $first, $second = $outcome.Result.Report
            $first.Matches | Should -BeNullOrEmpty
            $first.Ms | Should -BeLessThan 3000
            $first.Ms | Should -BeGreaterOrEqual 1500 -Because 'it did wait for the look-up'
            $second.Ms | Should -BeLessThan 500 -Because 'a failed look-up is remembered for a few seconds'
        }
        finally { $silent.Stop() }
    }

    It 'a fresh pwsh without credentials or region: names give nothing, quietly; regions and profiles still complete' {
        $prelude = @"
Remove-Item Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY, Env:AWS_SESSION_TOKEN, Env:AWS_PROFILE, Env:AWS_REGION, Env:AWS_DEFAULT_REGION -ErrorAction SilentlyContinue
`$env:AWS_CONFIG_FILE = '$(Join-Path $work 'no-config')'
`$env:AWS_SHARED_CREDENTIALS_FILE = '$(Join-Path $work 'no-credentials')'
`$env:AWS_EC2_METADATA_DISABLED = 'true'
"@
        $outcome = Invoke-TabInFreshPwsh -Prelude $prelude -Lines ((& $everyKind '') + 'Get-EcommerceTable -Region ')
        $outcome.Run.ExitCode | Should -Be 0
        $outcome.Noise | Should -BeNullOrEmpty
        $outcome.Result.Errors | Should -BeNullOrEmpty
        $names = $outcome.Result.Report | Select-Object -SkipLast 1
        foreach ($entry in $names) {
            $entry.Matches | Should -BeNullOrEmpty -Because $entry.Line
            $entry.Other | Should -BeNullOrEmpty -Because $entry.Line
            $entry.Ms | Should -BeLessThan 3000 -Because $entry.Line
        }
        $regions = ($outcome.Result.Report | Select-Object -Last 1).Matches
        $regions | Should -Contain 'af-south-1'
        $regions | Should -Contain 'cn-north-1' -Because 'no region configured: every partition'
    }
}
