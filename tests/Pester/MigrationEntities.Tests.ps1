# Per-entity migration checks through the engine (files → Invoke-*Migration → moto), read back with /usr/bin/aws:
# orders and categories on GSI1, .bson / .bson.gz sources, Ctrl+C, the provisioned-table warning, the sample shop.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'MigrationHelpers.psm1') -Force
    Import-EcommerceAws
    $script:files = [System.Collections.Generic.List[string]]::new()
    function New-TempFile([string[]] $Lines) { $f = Write-Lines $Lines; $script:files.Add($f); $f }
    # Invoke-AwsCli's ConvertFrom-Json turns ISO-8601 S values into DateTime; these helpers keep them as text.
    $script:AsText = if ((Get-Command ConvertFrom-Json).Parameters.ContainsKey('DateKind')) { @{ DateKind = 'String' } } else { @{} }
    function Invoke-AwsText {
        $env:AWS_MAX_ATTEMPTS = '1'; $env:AWS_PAGER = ''
        $output = & /usr/bin/aws --endpoint-url $env:AWS_ENDPOINT_URL --region us-east-1 --output json @args 2>&1
        if ($LASTEXITCODE -ne 0) { throw "aws $($args -join ' ') failed: $($output -join "`n")" }
        ($output | ForEach-Object { "$_" }) -join "`n" | ConvertFrom-Json -Depth 50 @AsText
    }
    function Get-Gsi1([string] $TableName, [string] $Partition) {
        # Every page of a GSI1 partition, in index order (the CLI follows pagination itself).
        (Invoke-AwsText dynamodb query --table-name $TableName --index-name GSI1 --key-condition-expression 'GSI1PK = :pk' `
            --expression-attribute-values (@{ ':pk' = @{ S = $Partition } } | ConvertTo-Json -Compress)).Items
    }
    function Get-AllOfType([string] $TableName, [string] $EntityType) {
        (Invoke-AwsText dynamodb scan --table-name $TableName --filter-expression 'entityType = :t' `
            --expression-attribute-values (@{ ':t' = @{ S = $EntityType } } | ConvertTo-Json -Compress)).Items
    }
    $script:Samples = Join-Path $env:ECOM_REPO_ROOT 'samples'
    $script:work = Join-Path ([System.IO.Path]::GetTempPath()) "ment-$([guid]::NewGuid().ToString('N'))"
    $null = New-Item -ItemType Directory $work; $script:files.Add($work)
    Push-Location $work   # rejects files land here
}

AfterAll {
    Pop-Location
    Remove-MigrationTable
    foreach ($file in $script:files) { Remove-Item $file -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Orders through the engine' -Tag Integration {
    BeforeAll {
        $table = New-MigrationTable
        $alice = New-ObjectIdText 0x0a11ce 1
        $bob = New-ObjectIdText 0x0a11ce 2
        $product = New-ObjectIdText 0x0a11ce 3
        # Alice's orders are out of date order in the file (and in _id order) so the index, not the input, sorts them.
        $dates = '2024-03-05T09:00:00.250Z', '2024-01-15T18:30:00.000Z', '2024-02-29T23:59:59.999Z', '2024-01-15T18:30:00.001Z'
        $lines = for ($i = 0; $i -lt $dates.Count; $i++) {
            '{"_id":{"$oid":"' + (New-ObjectIdText 0x0de5 $i) + '"},"userId":{"$oid":"' + $alice + '"},' +
            '"items":[{"productId":{"$oid":"' + $product + '"},"nameEn":"Penja pepper","qty":{"$numberLong":"2"},"unitPrice":{"$numberDecimal":"12345678901234567890.125"}},' +
            '{"productId":{"$oid":"' + $product + '"},"nameEn":"Kribi shrimp","qty":{"$numberInt":"1"},"unitPrice":{"$numberDecimal":"6500.50"}}],' +
            '"subtotal":{"$numberDecimal":"24691357802469135780.25"},"total":{"$numberLong":"9007199254740993"},"status":"paid",' +
            '"paymentMethod":"MTN Mobile Money","createdAt":{"$date":"' + $dates[$i] + '"}}'
        }
        $lines += '{"_id":{"$oid":"' + (New-ObjectIdText 0x0de5 99) + '"},"userId":{"$oid":"' + $bob + '"},"items":[],"total":{"$numberLong":"1000"},"status":"pending","createdAt":{"$date":{"$numberLong":"1709288130123"}}}'
        $result = Invoke-OrderMigration -TableName $table -Path (New-TempFile $lines)
        $aliceOrders = Get-Gsi1 $table "USER#$alice"
    }

    It 'writes every order' {
        $result.State | Should -Be 'Completed'
        $result.Written | Should -Be 5
        $result.Rejected | Should -Be 0
        Get-EntityCount $table 'ORDER' | Should -Be 5
    }

    It 'GSI1 USER#userId returns exactly that user''s orders, ordered by createdAt' {
        @($aliceOrders).Count | Should -Be 4
        $aliceOrders.createdAt.S | Should -Be @('2024-01-15T18:30:00.000Z', '2024-01-15T18:30:00.001Z', '2024-02-29T23:59:59.999Z', '2024-03-05T09:00:00.250Z')
        $aliceOrders.GSI1SK.S | Should -Be ($aliceOrders.createdAt.S | ForEach-Object { "ORDER#$_" })
        $aliceOrders.userId.S | Sort-Object -Unique | Should -Be $alice
        foreach ($o in $aliceOrders) { $o.PK.S | Should -Be "ORDER#$($o.id.S)"; $o.SK.S | Should -Be $o.PK.S; $o.entityType.S | Should -Be 'ORDER' }
        (Get-Gsi1 $table "USER#$bob").id.S | Should -Be (New-ObjectIdText 0x0de5 99)
    }

    It 'stores dates as ISO-8601 UTC with milliseconds' {
        $bobs = Get-Gsi1 $table "USER#$bob"
        $bobs.createdAt.S | Should -Be '2024-03-01T10:15:30.123Z'   # $date as $numberLong millis
        foreach ($o in $aliceOrders) { $o.createdAt.S | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$' }
    }

    It 'keeps line items as a List of Maps in order, with ObjectId references as 24-hex strings' {
        $items = $aliceOrders[0].items.L
        @($items).Count | Should -Be 2
        foreach ($line in $items) { $line.PSObject.Properties.Name | Should -Be 'M' }
        $items[0].M.nameEn.S | Should -Be 'Penja pepper'
        $items[1].M.nameEn.S | Should -Be 'Kribi shrimp'
        $items[0].M.productId.S | Should -Be $product
        (Get-Gsi1 $table "USER#$bob").items.L.Count | Should -Be 0
    }

    It 'writes Decimal128 and NumberLong as exact N text (beyond double precision)' {
        $o = $aliceOrders[0]
        $o.items.L[0].M.unitPrice.N | Should -Be '12345678901234567890.125'
        $o.items.L[0].M.qty.N | Should -Be '2'
        $o.items.L[1].M.unitPrice.N | Should -Be '6500.5'
        $o.subtotal.N | Should -Be '24691357802469135780.25'
        $o.total.N | Should -Be '9007199254740993'
    }
}

Describe 'Categories through the engine' -Tag Integration {
    BeforeAll {
        $table = New-MigrationTable
        $names = 'Sports & Loisirs', 'Alimentation', 'Électronique', 'Beauté & Santé', 'Clothing', 'Home & Kitchen'
        $lines = for ($i = 0; $i -lt $names.Count; $i++) {
            '{"_id":{"$oid":"' + (New-ObjectIdText 0xca7 $i) + '"},"name":"' + $names[$i] + '","slug":"c' + $i + '","isActive":true}'
        }
        $result = Invoke-CategoryMigration -TableName $table -Path (New-TempFile $lines)
        $listed = Get-Gsi1 $table 'TYPE#category'
    }

    It 'GSI1 TYPE#category lists every category, ordered by name' {
        $result.Written | Should -Be 6
        @($listed).Count | Should -Be 6
        # DynamoDB orders S keys by UTF-8 bytes; ordinal order of these names is the same.
        $expected = [string[]]$names.Clone(); [Array]::Sort($expected, [StringComparer]::Ordinal)
        $listed.name.S | Should -Be $expected
        $listed.GSI1SK.S | Should -Be ($expected | ForEach-Object { "CATEGORY#$_" })
        foreach ($c in $listed) { $c.PK.S | Should -Be "CATEGORY#$($c.id.S)"; $c.entityType.S | Should -Be 'CATEGORY' }
    }
}

Describe 'mongodump .bson and .bson.gz give the same items as the JSON export' -Tag Integration {
    BeforeAll {
        $gz = Join-Path $work 'products.bson.gz'
        $in = [System.IO.File]::OpenRead((Join-Path $Samples 'dump/shop/products.bson'))
        $out = [System.IO.Compression.GZipStream]::new([System.IO.File]::Create($gz), [System.IO.Compression.CompressionLevel]::Optimal)
        $in.CopyTo($out); $out.Dispose(); $in.Dispose()
        $runs = [ordered]@{}
        foreach ($source in (Join-Path $Samples 'shop/products.json'), (Join-Path $Samples 'dump/shop/products.bson'), $gz) {
            $t = New-MigrationTable
            $r = Invoke-ProductMigration -TableName $t -Path $source
            # Items keyed by PK, each as sorted-key JSON, so two tables compare attribute by attribute.
            $items = @{}
            foreach ($item in Get-AllOfType $t 'PRODUCT') {
                $sorted = [ordered]@{}; foreach ($p in $item.PSObject.Properties | Sort-Object Name) { $sorted[$p.Name] = $p.Value }
                $items[$item.PK.S] = $sorted | ConvertTo-Json -Depth 20 -Compress
            }
            $runs[[System.IO.Path]::GetFileName($source)] = [pscustomobject]@{ Result = $r; Items = $items }
        }
        $json = $runs['products.json']
    }

    It 'migrates the same counts from each (60 written, 4 rejected)' {
        foreach ($run in $runs.Values) {
            $run.Result.State | Should -Be 'Completed'
            $run.Result.Written | Should -Be 60
            $run.Result.Rejected | Should -Be 4
            $run.Items.Count | Should -Be 60
        }
    }

    It 'writes identical items (every attribute) from <_>' -ForEach 'products.bson', 'products.bson.gz' {
        $other = $runs[$_]
        ($other.Items.Keys | Sort-Object) | Should -Be ($json.Items.Keys | Sort-Object)
        foreach ($key in $json.Items.Keys) { $other.Items[$key] | Should -Be $json.Items[$key] -Because $key }
    }
}

Describe 'Ctrl+C' -Tag Integration {
    BeforeAll {
        $table = New-MigrationTable
        $total = 10000
        $file = New-TempFile (New-ProductLines -Count $total -Seed 11)
        $log = Join-Path $work 'ctrlc.log'
        # 150 ms per request: the run lasts a minute or more however fast the machine is, so the signal lands mid-run
        # even when a loaded machine makes the status polling below slow.
        $script:slow = Start-ThrottleProxy -Target $env:AWS_ENDPOINT_URL -Throttle 0 -Unprocessed 0 -DelayMs 150
        $child = Start-PwshProcess @"
Import-Module '$env:ECOM_MODULE_PATH'
try { Invoke-ProductMigration -TableName '$table' -Path '$file' -MaxConcurrency 1 -EndpointUrl '$($slow.Url)' -ErrorAction Stop | Out-Null; 'finished' | Set-Content '$log' }
catch { "caught: `$(`$_.FullyQualifiedErrorId)" | Set-Content '$log' }
"@
        $deadline = [DateTime]::UtcNow.AddSeconds(120)
        $running = $null
        while ([DateTime]::UtcNow -lt $deadline -and -not $child.HasExited) {
            $s = Get-StatusItem $table 'Product'
            if ($s -and [long]$s.Written.N -gt 0) { $running = $s; break }
            Start-Sleep -Milliseconds 200
        }
        if (-not $child.HasExited) { & kill -INT $child.Id }
        $exitedBySignal = $child.WaitForExit(60000)
        if (-not $exitedBySignal) { $child.Kill($true); $child.WaitForExit() }
        $after = Get-StatusItem $table 'Product'
        $slow.Process.Kill($true); $slow.Process.WaitForExit()
    }

    It 'had progress before the signal' {
        $running | Should -Not -BeNullOrEmpty
        $running.State.S | Should -Be 'Running'
    }

    It 'SIGINT stops the run (StopProcessing) and the status item says Interrupted with a checkpoint' {
        $exitedBySignal | Should -BeTrue
        $after.State.S | Should -Be 'Interrupted'
        $after.Checkpoint.S | Should -Not -BeNullOrEmpty
        [long]$after.Written.N | Should -BeGreaterThan 0
        [long]$after.Written.N | Should -BeLessThan $total
        $after.Message.S | Should -Match 'Ctrl\+C'
        # The status item's count is the watermark: no written item lies beyond it un-counted.
        Get-EntityCount $table 'PRODUCT' | Should -BeGreaterOrEqual ([long]$after.Written.N)
    }

    It 'tells the user where it stopped and how to resume, although the pipeline no longer takes output (the host gets it)' {
        $said = "$($child.Output.Result)`n$($child.Errors.Result)"
        $said | Should -Match 'Product: migration Interrupted at checkpoint \d+ \(\d+ written, \d+ rejected\); run the same command again to resume'
        # The checkpoint it names is the one recorded: the warning comes after the status write.
        $said | Should -Match ([regex]::Escape("at checkpoint $($after.Checkpoint.S) ($($after.Written.N) written"))
    }

    It 'resumes from the checkpoint to exactly the source set' {
        $r = Invoke-ProductMigration -TableName $table -Path $file -MaxConcurrency 8
        $r.State | Should -Be 'Completed'
        $r.Written | Should -Be $total
        $r.WrittenThisRun | Should -BeLessThan $total
        Get-EntityCount $table 'PRODUCT' | Should -Be $total
    }
}

Describe 'Stop() on a background runspace' -Tag Integration {
    It 'leaves status Interrupted with a checkpoint' {
        $table = New-MigrationTable
        $file = New-TempFile (New-ProductLines -Count 10000 -Seed 12)
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$env:ECOM_MODULE_PATH'; Invoke-ProductMigration -TableName '$table' -Path '$file' -MaxConcurrency 1")
            $handle = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(120)
            while ([DateTime]::UtcNow -lt $deadline -and -not $handle.IsCompleted) {
                $s = Get-StatusItem $table 'Product'
                if ($s -and [long]$s.Written.N -gt 0) { break }
                Start-Sleep -Milliseconds 200
            }
            $handle.IsCompleted | Should -BeFalse
            $ps.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        } finally { $ps.Dispose() }
        $after = Get-StatusItem $table 'Product'
        $after.State.S | Should -Be 'Interrupted'
        $after.Checkpoint.S | Should -Not -BeNullOrEmpty
        [long]$after.Written.N | Should -BeLessThan 10000
        # A JSON file has no cheap count: the scan beside the run found it, so the interrupted run's status has it.
        [long]$after.SourceCount.N | Should -Be 10000
        (Get-MigrationStatus -TableName $table -Entity Product).SourceCount | Should -Be 10000
    }
}

Describe 'Progress of a file source, and after a resume' -Tag Integration {
    BeforeAll {
        $table = New-MigrationTable
        $total = 3000
        $file = New-TempFile (New-ProductLines -Count $total -Seed 21)
        # 100 ms per BatchWriteItem at concurrency 1: at most 250 items/s, so the first run is still going when it is stopped.
        $script:slow = Start-ThrottleProxy -Target $env:AWS_ENDPOINT_URL -Throttle 0 -Unprocessed 0 -DelayMs 100
        $command = "Import-Module '$env:ECOM_MODULE_PATH'; Invoke-ProductMigration -TableName '$table' -Path '$file' -MaxConcurrency 1 -EndpointUrl '$($slow.Url)'"
        $first = [powershell]::Create()
        try {
            $null = $first.AddScript($command)
            $handle = $first.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(120)
            while ([DateTime]::UtcNow -lt $deadline -and -not $handle.IsCompleted) {
                $s = Get-StatusItem $table 'Product'
                if ($s -and [long]$s.Written.N -ge 500) { break }
                Start-Sleep -Milliseconds 200
            }
            $script:stoppedEarly = -not $handle.IsCompleted
            $first.Stop()
            $script:firstProgress = @($first.Streams.Progress | Where-Object RecordType -eq 'Processing')
        } finally { $first.Dispose() }
        $script:before = [long](Get-StatusItem $table 'Product').Written.N
        $second = [powershell]::Create()
        try {
            $null = $second.AddScript($command)
            $script:resumed = $second.Invoke()
            $script:secondProgress = @($second.Streams.Progress | Where-Object RecordType -eq 'Processing')
        } finally { $second.Dispose() }
        $slow.Process.Kill($true); $slow.Process.WaitForExit()
        # "W written, R rejected of [~]T (B before this run) — X items/s, …"
        $pattern = '^(?<w>[\d,]+) written, (?<r>[\d,]+) rejected of (?<est>~?)(?<t>[\d,]+)(?: \((?<b>[\d,]+) before this run\))? — (?<x>[\d,]+) items/s'
        function ConvertFrom-Progress($record) {
            $m = [regex]::Match($record.StatusDescription, $pattern)
            if (-not $m.Success) { return $null }
            $n = { param($g) [long]($m.Groups[$g].Value -replace ',', '') }
            [pscustomobject]@{ Done = (& $n 'w') + (& $n 'r'); Total = & $n 't'; Estimated = $m.Groups['est'].Value -eq '~'
                Before = if ($m.Groups['b'].Success) { & $n 'b' } else { 0 }; Rate = & $n 'x'; Seconds = $record.SecondsRemaining; Percent = $record.PercentComplete }
        }
    }

    It 'was stopped part-way, then resumed to the whole file' {
        $stoppedEarly | Should -BeTrue
        $before | Should -BeGreaterThan 0
        $before | Should -BeLessThan $total
        $resumed[-1].Written | Should -Be $total
    }

    It 'says "of N" for a JSON file: the count found beside the run, "~" while it is only estimated from the bytes read' {
        $parsed = @($firstProgress | ForEach-Object { ConvertFrom-Progress $_ } | Where-Object { $_ })
        $parsed.Count | Should -BeGreaterThan 0 -Because (@($firstProgress.StatusDescription) -join ' | ')
        $parsed.Count | Should -Be @($firstProgress | Where-Object { $_.StatusDescription -match ' written, ' }).Count
        @($parsed | Where-Object { -not $_.Estimated -and $_.Total -eq $total }).Count | Should -BeGreaterThan 0
        foreach ($p in $parsed | Where-Object Estimated) { $p.Total | Should -BeGreaterThan ($total * 0.75); $p.Total | Should -BeLessThan ($total * 1.25) }
        foreach ($p in $parsed | Where-Object { -not $_.Estimated }) { $p.Total | Should -Be $total }
    }

    It 'after the resume, counts the earlier work as done and the time left at this run''s own rate' {
        $parsed = @($secondProgress | ForEach-Object { ConvertFrom-Progress $_ } | Where-Object { $_ -and $_.Rate -ge 20 -and $_.Seconds -ge 0 })
        $parsed.Count | Should -BeGreaterThan 0 -Because (@($secondProgress.StatusDescription) -join ' | ')
        foreach ($p in $parsed) {
            $p.Total | Should -Be $total
            $p.Before | Should -Be $before
            $left = $p.Total - $p.Before - $p.Done
            $expected = $left / $p.Rate
            # The rate is shown rounded; the engine uses the exact one. The old ETA (this run's elapsed time × the file share
            # left ÷ the whole file share read) came out several times too small after a resume.
            $p.Seconds | Should -BeGreaterOrEqual ([math]::Floor($expected * 0.8) - 1) -Because "$left left at $($p.Rate)/s"
            $p.Seconds | Should -BeLessOrEqual ([math]::Ceiling($expected * 1.25) + 1) -Because "$left left at $($p.Rate)/s"
            [math]::Abs($p.Percent - ($p.Before + $p.Done) * 100 / $p.Total) | Should -BeLessOrEqual 1
        }
    }
}

Describe 'Provisioned table warning' -Tag Integration {
    BeforeAll {
        $table = New-MigrationTable @{ BillingMode = 'Provisioned'; ReadCapacity = 1; WriteCapacity = 1 }
        $count = 700   # ~1 KB each, twice (table + GSI1) at 1 WCU: > 10 minutes
        $file = New-TempFile (New-ProductLines -Count $count -Seed 13)
        $result = Invoke-ProductMigration -TableName $table -Path $file -WarningVariable warned -WarningAction SilentlyContinue
    }

    It 'warns before writing with the table''s WCU, the item count, the write units and the minutes' {
        $table | Should -Not -BeNullOrEmpty
        (Invoke-AwsCli dynamodb describe-table --table-name $table).Table.ProvisionedThroughput.WriteCapacityUnits | Should -Be 1
        $w = @($warned | Where-Object { "$_" -match 'PROVISIONED' })
        $w.Count | Should -Be 1
        "$($w[0])" | Should -Match '1 WCU \(GSI1: 1 WCU\)'
        "$($w[0])" | Should -Match "About $($count.ToString('N0')) items"
        "$($w[0])" | Should -Match '~[\d,]+ write units on the table'
        # The duration in words (DisplayText.Duration): "about 2 h 47 min", "about 14 min 10 s", "about 21 h".
        $m = [regex]::Match("$($w[0])", 'about (?:(\d+) h)? ?(?:(\d+) min)?[^,.]* at this capacity')
        $m.Success | Should -BeTrue
        ([int]('0' + $m.Groups[1].Value) * 60 + [int]('0' + $m.Groups[2].Value)) | Should -BeGreaterThan 10
        $result.Written | Should -Be $count   # a warning, not a refusal
    }

    It 'asks before writing in an interactive session; No stops it with MigrationCapacityDeclined and nothing written' {
        $t = New-MigrationTable @{ BillingMode = 'Provisioned'; ReadCapacity = 1; WriteCapacity = 1 }
        $child = Start-PwshProcess -Interactive -InputText "n`n" @"
Import-Module '$env:ECOM_MODULE_PATH'
try { Invoke-ProductMigration -TableName '$t' -Path '$file' -ErrorAction Stop | Out-Null; 'RESULT finished' }
catch { "RESULT caught: `$(`$_.FullyQualifiedErrorId) | `$(`$_.ErrorDetails.RecommendedAction)" }
"@
        $child.WaitForExit(120000) | Should -BeTrue
        $out = $child.Output.Result
        $out | Should -Match 'Slow migration: PROVISIONED table'
        $out | Should -Match "Write about [\d,]+ Product items to '$t' at 1 WCU"
        $out | Should -Match 'RESULT caught: MigrationCapacityDeclined,.*on-demand.*-Force'
        Get-EntityCount $t 'PRODUCT' | Should -Be 0
        (Get-StatusItem $t 'Product').State.S | Should -Be 'Failed'
    }

    It 'Yes goes on and writes every item; -Force does not ask at all' {
        foreach ($case in @{ Answer = "y`n"; Force = '' }, @{ Answer = "n`n"; Force = '-Force' }) {
            $t = New-MigrationTable @{ BillingMode = 'Provisioned'; ReadCapacity = 1; WriteCapacity = 1 }
            $child = Start-PwshProcess -Interactive -InputText $case.Answer @"
Import-Module '$env:ECOM_MODULE_PATH'
try { `$r = Invoke-ProductMigration -TableName '$t' -Path '$file' $($case.Force) -ErrorAction Stop; "RESULT written `$(`$r.Written)" }
catch { "RESULT caught: `$(`$_.FullyQualifiedErrorId)" }
"@
            $child.WaitForExit(120000) | Should -BeTrue
            $out = $child.Output.Result
            $out | Should -Match "RESULT written $count" -Because $out
            if ($case.Force) { $out | Should -Not -Match 'Slow migration' } else { $out | Should -Match 'Slow migration: PROVISIONED table' }
            Get-EntityCount $t 'PRODUCT' | Should -Be $count
        }
    }

    It 'warns from a MongoDB source too (count from CountDocuments), and not for an on-demand table' {
        $db = "shop$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $null = Invoke-MongoClient --uri $env:ECOM_TEST_MONGO_URI --db $db --collection products insert --file $file
        $t = New-MigrationTable @{ BillingMode = 'Provisioned'; ReadCapacity = 1; WriteCapacity = 1 }
        $null = Invoke-ProductMigration -TableName $t -MongoUri "$($env:ECOM_TEST_MONGO_URI)$db" -WarningVariable fromMongo -WarningAction SilentlyContinue
        "$(@($fromMongo | Where-Object { "$_" -match 'PROVISIONED' })[0])" | Should -Match "1 WCU .*About $($count.ToString('N0')) items"
        $onDemand = New-MigrationTable
        $null = Invoke-ProductMigration -TableName $onDemand -MongoUri "$($env:ECOM_TEST_MONGO_URI)$db" -WarningVariable quiet -WarningAction SilentlyContinue
        $null = Invoke-ProductMigration -TableName $onDemand -Path $file -Restart -WarningVariable quiet2 -WarningAction SilentlyContinue
        @(@($quiet) + @($quiet2) | Where-Object { "$_" -match 'PROVISIONED' }).Count | Should -Be 0
        $null = Invoke-MongoClient --uri $env:ECOM_TEST_MONGO_URI drop --db $db --collection products
    }
}

Describe 'The sample shop (samples/dump/shop)' -Tag Integration {
    BeforeAll {
        $table = New-MigrationTable
        $results = Invoke-EcommerceMigration -TableName $table -Path (Join-Path $Samples 'dump/shop')
        $rejects = foreach ($r in $results) { if ($r.RejectPath) { Get-Content $r.RejectPath | ConvertFrom-Json } }
    }

    It 'writes 150 items and rejects 8 documents (samples/README.md)' {
        $results.Entity | Should -Be @('Category', 'Product', 'User', 'Order')
        $results.Written | Should -Be @(6, 60, 28, 56)
        $results.Rejected | Should -Be @(1, 4, 2, 1)
        ($results | Measure-Object Written -Sum).Sum | Should -Be 150
        ($results | Measure-Object Rejected -Sum).Sum | Should -Be 8
        foreach ($r in $results) { $r.State | Should -Be 'Completed'; $r.Written + $r.Rejected | Should -Be $r.SourceCount }
    }

    It 'has one reject record per expected bad document' {
        $expected = @(
            'Category 659327d0ec0a000000000007 UnsupportedBsonType isVisible'
            'Product 65dc79f8ec0a000000000044 MissingField nameEn'
            'Product 65dc8808ec0a000000000045 InvalidNumber price'
            'Product 65dc9618ec0a000000000046 UnsupportedBsonType searchPattern'
            'Product 65dca428ec0a000000000047 InvalidNumber price'
            'User 65e02990ec0a000000000064 DuplicateEmail email'
            'User 65e045b0ec0a000000000065 MissingField email'
            'Order 65f76600ec0a00000000009e MissingField userId'
        )
        $actual = @($rejects | ForEach-Object { "$($_.entity) $($_._id) $($_.reason) $($_.field)" })
        ($actual | Sort-Object) | Should -Be ($expected | Sort-Object)
    }

    It 'Get-EcommerceProduct -All returns every migrated product' {
        $all = @(Get-EcommerceProduct -TableName $table -All)
        $all.Count | Should -Be ($results | Where-Object Entity -EQ 'Product').Written
        ($all.Id | Sort-Object -Unique).Count | Should -Be $all.Count
    }

    It 'Get-EcommerceProduct -Category Electronics returns the Electronics products' {
        $electronics = @(Get-EcommerceProduct -TableName $table -Category Electronics)
        $electronics.Count | Should -BeGreaterThan 0
        $electronics.Category | Sort-Object -Unique | Should -Be 'Electronics'
        $electronics.Count | Should -Be (Get-Gsi1 $table 'CATEGORY#Electronics').Count
        @(Get-EcommerceProduct -TableName $table -Category 'Beauté & Santé').Count | Should -BeGreaterThan 0
    }
}
