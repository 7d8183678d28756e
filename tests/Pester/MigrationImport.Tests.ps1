# Invoke-*Migration -Method Import (issue 12 §1): staging in S3 as gzipped DYNAMODB_JSON, ImportTable into a new table,
# finishing it like New-EcommerceTable, status items, staging clean-up; checked against the write path item by item.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'MigrationHelpers.psm1') -Force
    Import-EcommerceAws
    $script:tables = [System.Collections.Generic.List[string]]::new()
    $script:files = [System.Collections.Generic.List[string]]::new()
    $script:shop = (Resolve-Path (Join-Path $PSScriptRoot '../../samples/dump/shop')).Path
    function New-ImportTableName { $n = New-TestName 'imp'; $script:tables.Add($n); $n }
    function New-StagingBucket {
        $b = New-TestName 'stage'
        $null = Invoke-AwsCli s3api create-bucket --bucket $b
        $b
    }
    function Get-StagedKeys([string] $Bucket, [string] $Prefix = 'ecommerceaws-import/') {
        $answer = Invoke-AwsCli s3api list-objects-v2 --bucket $Bucket --prefix $Prefix
        if ($answer -and $answer.PSObject.Properties['Contents']) { @($answer.Contents.Key) } else { @() }
    }
    # Every item of a table except the migration status items, one canonical JSON text per item (keys sorted at every
    # level), keyed by PK|SK: two tables hold the same items exactly when these maps are equal.
    function Get-TableItems([string] $TableName) {
        $raw = & /usr/bin/aws --endpoint-url $env:AWS_ENDPOINT_URL --region us-east-1 dynamodb scan --table-name $TableName --output json | Out-String
        $doc = [System.Text.Json.JsonDocument]::Parse($raw)
        $map = @{}
        foreach ($item in $doc.RootElement.GetProperty('Items').EnumerateArray()) {
            $pk = $item.GetProperty('PK').GetProperty('S').GetString()
            if ($pk.StartsWith('MIGRATION#')) { continue }
            $map["$pk|$($item.GetProperty('SK').GetProperty('S').GetString())"] = ConvertTo-CanonicalJson $item
        }
        $map
    }
    function ConvertTo-CanonicalJson([System.Text.Json.JsonElement] $Element) {
        switch ($Element.ValueKind) {
            'Object' { '{' + ((@($Element.EnumerateObject()) | Sort-Object Name -CaseSensitive | ForEach-Object { (ConvertTo-Json $_.Name) + ':' + (ConvertTo-CanonicalJson $_.Value) }) -join ',') + '}' }
            'Array' {
                $parts = @($Element.EnumerateArray() | ForEach-Object { ConvertTo-CanonicalJson $_ })
                '[' + ($parts -join ',') + ']'
            }
            default { $Element.GetRawText() }
        }
    }
    function Compare-TableItems([string] $Expected, [string] $Actual) {
        $a = Get-TableItems $Expected
        $b = Get-TableItems $Actual
        $diff = foreach ($key in $a.Keys) {
            if (-not $b.ContainsKey($key)) { "missing $key" } elseif ($a[$key] -cne $b[$key]) { "differs $key`n  write:  $($a[$key])`n  import: $($b[$key])" }
        }
        $diff += foreach ($key in $b.Keys) { if (-not $a.ContainsKey($key)) { "extra $key" } }
        [pscustomobject]@{ Count = $a.Count; Differences = @($diff | Where-Object { $_ }) }
    }
    Push-Location ([System.IO.Path]::GetTempPath())
}

AfterAll {
    Pop-Location
    foreach ($name in $script:tables) {
        Remove-EcommerceTable -TableName $name -Force -Confirm:$false -ErrorAction SilentlyContinue
    }
    foreach ($file in $script:files) { Remove-Item $file -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe '-Method Import: bad input is refused before any AWS call' -Tag Unit {
    It 'needs -StagingBucket (MigrationStagingBucketMissing)' {
        Get-ErrorId { Invoke-ProductMigration -TableName shop-import -Path (Join-Path $shop 'products.bson') -Method Import -EndpointUrl 'http://127.0.0.1:9' -Confirm:$false } |
            Should -Be 'MigrationStagingBucketMissing,EcommerceAws.Commands.InvokeProductMigrationCommand'
    }

    It 'checks the staging bucket name (InvalidBucketName)' {
        Get-ErrorId { Invoke-EcommerceMigration -TableName shop-import -Path $shop -Method Import -StagingBucket 'Bad_Bucket' -EndpointUrl 'http://127.0.0.1:9' -Confirm:$false } |
            Should -Match '^InvalidBucketName,'
    }
}

Describe 'Invoke-EcommerceMigration -Method Import of the sample shop' -Tag Integration {
    BeforeAll {
        $script:bucket = New-StagingBucket
        $script:written = New-ImportTableName
        $null = New-EcommerceTable -TableName $written -Confirm:$false
        $script:writeResults = @(Invoke-EcommerceMigration -TableName $written -Path $shop -RejectPath ([System.IO.Path]::GetTempPath()))
        $script:imported = New-ImportTableName
        $script:results = @(Invoke-EcommerceMigration -TableName $imported -Path $shop -Method Import -StagingBucket $bucket -RejectPath ([System.IO.Path]::GetTempPath()) -Confirm:$false)
    }

    It 'returns one completed Import result per entity, with the same counts as the write path' {
        $results.Count | Should -Be 4
        foreach ($r in $results) {
            $r.Method | Should -Be 'Import'
            $r.State | Should -Be 'Completed'
            $r.ImportArn | Should -Match "^arn:aws:dynamodb:us-east-1:123456789012:table/$imported/import/"
            $w = $writeResults | Where-Object Entity -eq $r.Entity
            $r.Written | Should -Be $w.Written -Because "$($r.Entity) written"
            $r.Rejected | Should -Be $w.Rejected -Because "$($r.Entity) rejected"
            $r.SourceCount | Should -Be $w.SourceCount
            $r.StagingObjects | Should -BeGreaterThan 0
            $r.UncompressedBytes | Should -BeGreaterThan $r.StagingBytes
        }
        @($results.ImportArn | Select-Object -Unique).Count | Should -Be 1 -Because 'one ImportTable call loads every entity'
    }

    It 'holds exactly the items the write path writes, attribute by attribute' {
        $cmp = Compare-TableItems $written $imported
        $cmp.Count | Should -BeGreaterThan 100
        $cmp.Differences | Should -BeNullOrEmpty
    }

    It 'is the table New-EcommerceTable makes: GSI1 projecting ALL, on-demand, deletion protection, PITR, ManagedBy tag' {
        $t = (Invoke-AwsCli dynamodb describe-table --table-name $imported).Table
        $t.SSEDescription.Status | Should -Be 'ENABLED'
        # aws 2.9 does not model DeletionProtectionEnabled: check the behaviour instead
        Test-AwsCli dynamodb delete-table --table-name $imported | Should -BeFalse
        $t.BillingModeSummary.BillingMode | Should -Be 'PAY_PER_REQUEST'
        $t.GlobalSecondaryIndexes[0].IndexName | Should -Be 'GSI1'
        $t.GlobalSecondaryIndexes[0].Projection.ProjectionType | Should -Be 'ALL'
        (Invoke-AwsCli dynamodb describe-continuous-backups --table-name $imported).ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus | Should -Be 'ENABLED'
        $tags = (Invoke-AwsCli dynamodb list-tags-of-resource --resource-arn $t.TableArn).Tags
        ($tags | Where-Object Key -eq 'ManagedBy').Value | Should -Be 'EcommerceAws'
        $info = Get-EcommerceTable -TableName $imported
        $info.PointInTimeRecovery | Should -BeTrue
    }

    It 'writes status items Get-MigrationStatus and Test-EcommerceMigration read as after a write run' {
        $status = @(Get-MigrationStatus -TableName $imported)
        $status.Count | Should -Be 4
        $status.State | Sort-Object -Unique | Should -Be 'Completed'
        (Get-StatusItem $imported 'Product').Method.S | Should -Be 'Import'
        (Get-StatusItem $imported 'Product').ImportArn.S | Should -Be $results[0].ImportArn
        $v = Test-EcommerceMigration -TableName $imported -Entity Product -Path (Join-Path $shop 'products.bson') -SampleSize 20
        $v.Passed | Should -BeTrue
    }

    It 'deletes the staged objects and the manifest, and leaves a lifecycle rule expiring the staging prefix' {
        Get-StagedKeys $bucket | Should -BeNullOrEmpty
        $rules = (Invoke-AwsCli s3api get-bucket-lifecycle-configuration --bucket $bucket).Rules
        $rule = $rules | Where-Object ID -eq 'EcommerceAws-expire-import-staging'
        $rule.Filter.Prefix | Should -Be 'ecommerceaws-import/'
        $rule.Expiration.Days | Should -Be 7
    }

    It 'does not import again when run again (Notes say so; no second import)' {
        $again = @(Invoke-EcommerceMigration -TableName $imported -Path $shop -Method Import -StagingBucket $bucket -Confirm:$false)
        $again.Count | Should -Be 4
        $again[0].ImportArn | Should -Be $results[0].ImportArn
        $again[0].Notes -join ' ' | Should -Match 'Already imported'
        Get-StagedKeys $bucket | Should -BeNullOrEmpty
    }

    It 'refuses a table that exists and was not imported (MigrationImportTableExists names -Method Write), before reading' {
        $err = $null
        try { Invoke-EcommerceMigration -TableName $written -Path $shop -Method Import -StagingBucket $bucket -Confirm:$false -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Match '^MigrationImportTableExists,'
        $err.ErrorDetails.RecommendedAction + $err.Exception.Message | Should -Match '-Method Write'
        Get-StagedKeys $bucket | Should -BeNullOrEmpty
    }
}

Describe '-Method Import: item rules reject before staging, -KeepStaging, -WhatIf' -Tag Integration {
    BeforeAll {
        $script:bucket2 = New-StagingBucket
        $script:table2 = New-ImportTableName
        $big = 'x' * 420000
        $lines = @(New-ProductLines -Count 30 -Seed 7) +
            ('{"_id":{"$oid":"ffffffff0000000000000001"},"nameEn":"Too big","nameFr":"Trop grand","category":"Beauty","price":100,"blob":"' + $big + '"}') +
            '{"_id":{"$oid":"ffffffff0000000000000002"},"nameEn":"L''Oreal \"Paris\"","nameFr":"L''Oréal","category":"Beauty","price":{"$numberDecimal":"NaN"}}' +
            '{"_id":{"$oid":"ffffffff0000000000000003"},"nameEn":"L''Oreal \"Paris\"","nameFr":"L''Oréal — été","category":"Beauty","price":2500,"tags":[],"attrs":{}}'
        $script:src = Write-Lines $lines; $script:files.Add($src)
        $script:rejects = Join-Path ([System.IO.Path]::GetTempPath()) "imp-rejects-$([guid]::NewGuid().ToString('N')).jsonl"; $script:files.Add($rejects)
        $script:whatIf = Invoke-ProductMigration -TableName $table2 -Path $src -Method Import -StagingBucket $bucket2 -WhatIf
        $script:tableAfterWhatIf = Test-AwsCli dynamodb describe-table --table-name $table2
        $script:keysAfterWhatIf = @(Get-StagedKeys $bucket2)
        $script:r = Invoke-ProductMigration -TableName $table2 -Path $src -Method Import -StagingBucket $bucket2 -RejectPath $rejects -KeepStaging -Confirm:$false
    }

    It '-WhatIf maps and counts everything but stages, creates and writes nothing' {
        $whatIf.WhatIf | Should -BeTrue
        $whatIf.Written | Should -Be 31
        $whatIf.Rejected | Should -Be 2
        $whatIf.StagingObjects | Should -Be 1
        $tableAfterWhatIf | Should -BeFalse
        $keysAfterWhatIf | Should -BeNullOrEmpty
    }

    It 'rejects the items DynamoDB would refuse (ItemTooLarge, InvalidNumber) into the rejects file, and imports the rest' {
        $r.Written | Should -Be 31
        $r.Rejected | Should -Be 2
        $reasons = @(Get-Content $rejects | ConvertFrom-Json | ForEach-Object reason) | Sort-Object
        $reasons | Should -Be @('InvalidNumber', 'ItemTooLarge')
        Get-EntityCount $table2 'PRODUCT' | Should -Be 31
    }

    It 'keeps apostrophes, quotes, accents and empty lists/maps exactly' {
        $item = (Invoke-AwsCli dynamodb get-item --table-name $table2 --key '{"PK":{"S":"PRODUCT#ffffffff0000000000000003"},"SK":{"S":"PRODUCT#ffffffff0000000000000003"}}').Item
        $item.nameEn.S | Should -BeExactly 'L''Oreal "Paris"'
        $item.nameFr.S | Should -BeExactly 'L''Oréal — été'
        @($item.tags.L).Count | Should -Be 0
        @($item.attrs.M.PSObject.Properties).Count | Should -Be 0
    }

    It '-KeepStaging leaves the gzipped DYNAMODB_JSON objects and the manifest' {
        $keys = Get-StagedKeys $bucket2 "ecommerceaws-import/$table2/"
        $keys | Should -Contain "ecommerceaws-import/$table2/manifest.json"
        @($keys | Where-Object { $_ -like '*/data/product-*.json.gz' }).Count | Should -Be $r.StagingObjects
        $r.Notes -join ' ' | Should -Match 'KeepStaging'
    }
}

Describe '-Method Import resumes: staged objects are not uploaded again and the import is started once' -Tag Integration {
    BeforeAll {
        $script:bucket3 = New-StagingBucket
        $script:table3 = New-ImportTableName
        $script:src3 = Write-Lines @(New-ProductLines -Count 200 -Seed 9); $script:files.Add($src3)
        # The first run stages everything, then every ImportTable call is refused (the proxy answers 400): it stops there.
        $proxy = Start-ThrottleProxy -Target $env:AWS_ENDPOINT_URL -Throttle 0 -Unprocessed 0 -FailOperation ImportTable
        try {
            $script:firstError = $null
            try { Invoke-ProductMigration -TableName $table3 -Path $src3 -Method Import -StagingBucket $bucket3 -KeepStaging -EndpointUrl $proxy.Url -Confirm:$false -ErrorAction Stop }
            catch { $script:firstError = $_ }
        }
        finally { $proxy.Process.Kill(); $proxy.Process.WaitForExit() }
        $script:stagedBefore = (Invoke-AwsCli s3api list-objects-v2 --bucket $bucket3 --prefix "ecommerceaws-import/$table3/").Contents | Where-Object Key -like '*/data/*'
        $script:tableAfterFirst = Test-AwsCli dynamodb describe-table --table-name $table3
        $script:verbose = @(Invoke-ProductMigration -TableName $table3 -Path $src3 -Method Import -StagingBucket $bucket3 -KeepStaging -Confirm:$false -Verbose 4>&1)
        $script:second = $verbose | Where-Object { $_ -is [EcommerceAws.Output.MigrationResult] }
    }

    It 'the first run stages every object, then stops with the ImportTable error and no table' {
        $firstError | Should -Not -BeNullOrEmpty
        "$($firstError.Exception.Message)" | Should -Match 'ImportTable'
        @($stagedBefore).Count | Should -Be 1
        $tableAfterFirst | Should -BeFalse
    }

    It 'the second run resumes from the manifest: nothing is uploaded again, the import runs once, every item lands' {
        $messages = @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        ($messages -join "`n") | Should -Match 'Resuming import run'
        @($messages | Where-Object { $_ -match '^Product: staged ecommerceaws-import/' }).Count | Should -Be 0
        $after = (Invoke-AwsCli s3api list-objects-v2 --bucket $bucket3 --prefix "ecommerceaws-import/$table3/").Contents | Where-Object Key -like '*/data/*'
        @($after).Count | Should -Be 1
        $after[0].ETag | Should -Be $stagedBefore[0].ETag
        $after[0].LastModified | Should -Be $stagedBefore[0].LastModified
        $second.State | Should -Be 'Completed'
        $second.Written | Should -Be 200
        $second.RunId | Should -Be (Get-StatusItem $table3 'Product').RunId.S
        Get-EntityCount $table3 'PRODUCT' | Should -Be 200
    }
}

Describe '-Method Import: an import that ends with errors stops with MigrationImportFailed' -Tag Integration {
    BeforeAll {
        $script:bucket4 = New-StagingBucket
        $script:table4 = New-ImportTableName
        # tests/Fixtures/moto_server.py counts an item holding this value as an item DynamoDB refused during the import.
        $lines = @(New-ProductLines -Count 20 -Seed 11) + '{"_id":{"$oid":"eeeeeeee0000000000000001"},"nameEn":"Refused","nameFr":"Refusé","category":"Beauty","price":100,"note":"ecommerceaws-test-import-error"}'
        $script:src4 = Write-Lines $lines; $script:files.Add($src4)
        $script:failed = $null
        try { Invoke-ProductMigration -TableName $table4 -Path $src4 -Method Import -StagingBucket $bucket4 -Confirm:$false -ErrorAction Stop } catch { $script:failed = $_ }
    }

    It 'names the error count, the import and the CloudWatch Logs group, and keeps the staged objects' {
        $failed.FullyQualifiedErrorId | Should -Match '^MigrationImportFailed,'
        $failed.Exception.Message | Should -Match '\b1 error\(s\)'
        $failed.Exception.Message | Should -Match '/aws-dynamodb/imports'
        $failed.Exception.Message | Should -Match "table/$table4/import/"
        @(Get-StagedKeys $bucket4 "ecommerceaws-import/$table4/" | Where-Object { $_ -like '*/data/*' }).Count | Should -Be 1
    }

    It 'records Failed on the status item, and a re-run stops with the same error without a second import' {
        (Get-StatusItem $table4 'Product').State.S | Should -Be 'Failed'
        $arn = (Get-StatusItem $table4 'Product').ImportArn.S
        Get-ErrorId { Invoke-ProductMigration -TableName $table4 -Path $src4 -Method Import -StagingBucket $bucket4 -Confirm:$false } | Should -Match '^MigrationImportFailed,'
        (Get-StatusItem $table4 'Product').ImportArn.S | Should -Be $arn
    }
}

Describe '-Method Import of 50,000 generated orders equals the write path item by item' -Tag Integration {
    BeforeAll {
        $statuses = 'pending', 'paid', 'shipped', 'delivered', 'cancelled'
        $lines = for ($n = 0; $n -lt 50000; $n++) {
            '{"_id":{"$oid":"' + ('{0:x8}{1:x16}' -f 12, $n) + '"},"userId":"' + ('{0:x24}' -f ($n % 997)) + '","status":"' + $statuses[$n % 5] +
                '","total":{"$numberDecimal":"' + (2500 + $n) + '.50"},"currency":"XAF","items":[{"productId":"p' + ($n % 64) + '","qty":' + (1 + $n % 3) +
                ',"price":' + (1000 + $n % 500) + '}],"shipping":{"city":"Douala","note":"L''entrée \"B\""},"createdAt":{"$date":"2024-0' + (1 + $n % 9) + '-1' + ($n % 10) + 'T08:00:00.000Z"}}'
        }
        $script:orders = Write-Lines $lines; $script:files.Add($orders)
        $script:bucket5 = New-StagingBucket
        $script:writeTable = New-ImportTableName
        $null = New-EcommerceTable -TableName $writeTable -Confirm:$false
        $script:written5 = Invoke-OrderMigration -TableName $writeTable -Path $orders -MaxConcurrency 8
        $script:importTable = New-ImportTableName
        $script:imported5 = Invoke-OrderMigration -TableName $importTable -Path $orders -Method Import -StagingBucket $bucket5 -StagingObjectSizeMB 8 -Confirm:$false
    }

    It 'stages several objects and imports every order (describe-table item counts: the orders and one status item)' {
        $written5.Written | Should -Be 50000
        $imported5.Written | Should -Be 50000
        $imported5.StagingObjects | Should -BeGreaterThan 1
        ($imported5.Notes -join ' ') | Should -Not -Match 'ImportTable reports'
        (Invoke-AwsCli dynamodb describe-table --table-name $importTable).Table.ItemCount | Should -Be 50001
        (Invoke-AwsCli dynamodb describe-table --table-name $writeTable).Table.ItemCount | Should -Be 50001
    }

    It 'holds the same items as the write path: every 10th order compared attribute by attribute (botocore BatchGetItem)' {
        # A full Scan of moto pages through the whole table for every 1 MB page (minutes for 2 x 50,000 items); BatchGetItem is direct.
        $compare = @'
import boto3, json, os, sys
ddb = boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
keys = [{"PK": {"S": k}, "SK": {"S": k}} for k in ("ORDER#%08x%016x" % (12, n) for n in range(0, 50000, 10))]
def fetch(table):
    out = {}
    for i in range(0, len(keys), 100):
        request = {table: {"Keys": keys[i:i + 100]}}
        while request:
            answer = ddb.batch_get_item(RequestItems=request)
            for item in answer["Responses"].get(table, []):
                out[item["PK"]["S"]] = json.dumps(item, sort_keys=True, default=str)
            request = answer.get("UnprocessedKeys") or None
    return out
a, b = fetch(sys.argv[1]), fetch(sys.argv[2])
diff = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
print(json.dumps({"written": len(a), "imported": len(b), "differences": len(diff), "first": diff[:3]}))
'@
        $result = python3 -c $compare $writeTable $importTable | ConvertFrom-Json
        $result.written | Should -Be 5000
        $result.imported | Should -Be 5000
        $result.differences | Should -Be 0 -Because "first differing keys: $($result.first -join ', ')"
    }
}
