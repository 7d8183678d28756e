# Issue 9: a migration never dies on one document and never skips one. A dirty export with one bad document per rule beside
# clean ones (against moto, checked with /usr/bin/aws), a document the service refuses (the throttling proxy answers
# ValidationException for it) to prove batch splitting, resume only against the same source, rejects written once, a live
# source with a document inserted below the checkpoint, verification after Publish-ProductAsset, and the product cmdlets.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'MigrationHelpers.psm1') -Force
    Import-EcommerceAws
    $script:work = Join-Path ([System.IO.Path]::GetTempPath()) "dirty-$([guid]::NewGuid().ToString('N'))"
    $null = New-Item -ItemType Directory $work
    function Get-Rejects([string] $Path) { @(Get-Content $Path | ForEach-Object { $_ | ConvertFrom-Json }) }
    function New-CleanLine([int] $i) { '{"_id":"clean-' + $i + '","nameEn":"Clean ' + $i + '","nameFr":"Propre ' + $i + '","category":"Beauty","price":{"$numberInt":"' + (1000 + $i) + '"}}' }
    Push-Location $work
}

AfterAll {
    Pop-Location
    Remove-MigrationTable
    Remove-Item $script:work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'A dirty export: one bad document per rule, each in a batch with clean documents' -Tag Integration {
    BeforeAll {
        $table = New-MigrationTable
        $deep32 = ('{"m":' * 31) + '1' + ('}' * 31)     # 32 levels: accepted
        $deep33 = ('{"m":' * 32) + '1' + ('}' * 32)     # 33 levels: refused
        # reason, _id as written in the rejects file ($null for a document that does not parse), the line
        $dirty = @(
            ,@('KeyTooLong', 'long-name', ('{"_id":"long-name","nameEn":"' + ('é' * 550) + '","category":"Beauty"}'))        # GSI1SK 1,108 bytes (the issue's case)
            ,@('KeyTooLong', ('k' * 2100), ('{"_id":"' + ('k' * 2100) + '","nameEn":"Long id","category":"Beauty"}'))     # PK 2,108 bytes
            ,@('NestingTooDeep', 'deep-33', ('{"_id":"deep-33","nameEn":"Deep","category":"Beauty","spec":' + $deep33 + '}'))
            ,@('InvalidAttributeName', 'empty-name', '{"_id":"empty-name","nameEn":"Empty","category":"Beauty","":"no name"}')
            ,@('InvalidNumber', 'overflow', '{"_id":"overflow","nameEn":"Gold","category":"Beauty","price":{"$numberDecimal":"1E+200"}}')
            ,@('InvalidNumber', 'underflow', '{"_id":"underflow","nameEn":"Dust","category":"Beauty","weight":{"$numberDecimal":"1E-200"}}')
            ,@('ItemTooLarge', 'too-large', ('{"_id":"too-large","nameEn":"Catalogue","category":"Beauty","description":"' + ('a' * 409700) + '"}'))
            ,@('InvalidString', 'surrogate', '{"_id":"surrogate","nameEn":"Broken \ud800 text","category":"Beauty"}')
            ,@('MalformedDocument', $null, '{"_id":"bad-decimal","nameEn":"x","category":"Beauty","price":{"$numberDecimal":"abc"}}')
            ,@('MalformedDocument', $null, 'this line is not JSON')
            ,@('DuplicateKey', '42', '{"_id":"42","nameEn":"Second 42","category":"Beauty"}')                         # after {"_id":42}
            ,@('DuplicateKey', 'twice', '{"_id":"twice","nameEn":"Twice again","category":"Beauty"}')                 # after the first "twice"
            ,@('MissingField', 'no-name', '{"_id":"no-name","category":"Beauty"}')
            ,@('ServiceRejected', 'svc-refused', '{"_id":"svc-refused","nameEn":"Refused by the service","category":"Beauty"}')
        )
        $lines = [System.Collections.Generic.List[string]]::new()
        $expectedRejects = [System.Collections.Generic.List[string]]::new()
        $cleanIds = [System.Collections.Generic.List[string]]::new()
        $i = 0
        # Special clean documents: the first of each colliding pair, the 32-level one, and a number >= 1E38.
        $specials = @('{"_id":{"$numberInt":"42"},"nameEn":"First 42","category":"Beauty"}', '{"_id":"twice","nameEn":"Twice first","category":"Beauty"}',
            ('{"_id":"deep-32","nameEn":"Deep enough","category":"Beauty","spec":' + $deep32 + '}'), '{"_id":"big-number","nameEn":"Big","category":"Beauty","price":{"$numberDecimal":"1.5E+40"}}')
        foreach ($special in $specials) { $lines.Add($special) }
        foreach ($id in '42', 'twice', 'deep-32', 'big-number') { $cleanIds.Add($id) }
        foreach ($d in $dirty) {
            for ($k = 0; $k -lt 3; $k++) { $lines.Add((New-CleanLine $i)); $cleanIds.Add("clean-$i"); $i++ }
            $lines.Add($d[2])
            $expectedRejects.Add("$($d[0])|$($d[1])|$($lines.Count)")
        }
        for ($k = 0; $k -lt 3; $k++) { $lines.Add((New-CleanLine $i)); $cleanIds.Add("clean-$i"); $i++ }
        $file = Join-Path $work 'products.json'
        [System.IO.File]::WriteAllLines($file, [string[]]$lines, [System.Text.UTF8Encoding]::new($false))
        $proxy = Start-ThrottleProxy -Target $env:AWS_ENDPOINT_URL -Throttle 0 -Unprocessed 0 -RejectPk '^PRODUCT#svc-refused$'
        $result = Invoke-ProductMigration -TableName $table -Path $file -EndpointUrl $proxy.Url -MaxConcurrency 4 -WarningAction SilentlyContinue
        $stats = Invoke-RestMethod "$($proxy.Url)/__stats"
        # The CLI's JSON of the 32-level item is deeper than Invoke-AwsCli's ConvertFrom-Json allows (50).
        $scanned = ((& /usr/bin/aws --endpoint-url $env:AWS_ENDPOINT_URL --region us-east-1 --output json dynamodb scan --table-name $table) -join "`n" |
            ConvertFrom-Json -Depth 200).Items | Where-Object { $_.entityType.S -eq 'PRODUCT' }
    }
    AfterAll { if ($proxy) { $proxy.Process.Kill($true); $proxy.Process.WaitForExit() } }

    It 'completes: Written + Rejected = SourceCount, one reject per dirty document' {
        $result.State | Should -Be 'Completed'
        $result.SourceCount | Should -Be $lines.Count
        $result.Written | Should -Be $cleanIds.Count
        $result.Rejected | Should -Be $dirty.Count
        $result.Written + $result.Rejected | Should -Be $result.SourceCount
    }

    It 'writes every clean document and no dirty one (aws scan and get-item)' {
        @($scanned).Count | Should -Be $cleanIds.Count
        ($scanned.id.S | Sort-Object) | Should -Be ($cleanIds | Sort-Object)
        # the neighbours of dirty documents, written exactly
        foreach ($n in 0, 2, 3, 5, 38, 41) {
            $item = Get-ProductItem $table "clean-$n"
            $item.nameEn.S | Should -Be "Clean $n"
            $item.nameFr.S | Should -Be "Propre $n"
            $item.price.N | Should -Be "$(1000 + $n)"
            $item.GSI1SK.S | Should -Be "PRODUCT#Clean $n"
        }
        (Get-ProductItem $table '42').nameEn.S | Should -Be 'First 42'
        (Get-ProductItem $table 'twice').nameEn.S | Should -Be 'Twice first'
        (Get-ProductItem $table 'big-number').price.N | Should -Be ('15' + '0' * 39)
        # 32 levels, read as raw CLI text (ConvertFrom-Json stops at depth 50): 31 maps around the number.
        $raw = & /usr/bin/aws --endpoint-url $env:AWS_ENDPOINT_URL --region us-east-1 dynamodb get-item --table-name $table --key '{"PK":{"S":"PRODUCT#deep-32"},"SK":{"S":"PRODUCT#deep-32"}}' | Out-String
        [regex]::Matches($raw, '"m":').Count | Should -Be 31
        $raw | Should -Match '"N": "1"'
        $scanned.id.S | Should -Not -Contain 'svc-refused'
    }

    It 'lists every dirty document in the rejects file with its reason and position' {
        $rejects = Get-Rejects $result.RejectPath
        $rejects.Count | Should -Be $dirty.Count
        $actual = $rejects | ForEach-Object { "$($_.reason)|$($_._id)|$($_.position)" }
        ($actual | Sort-Object) | Should -Be ($expectedRejects | Sort-Object)
        ($rejects | Where-Object reason -eq 'KeyTooLong' | Where-Object _id -eq 'long-name').field | Should -Be 'nameEn'
        ($rejects | Where-Object reason -eq 'KeyTooLong' | Where-Object _id -eq 'long-name').detail | Should -Match 'GSI1SK.*1,108 bytes.*1,024'
        ($rejects | Where-Object _id -eq 'overflow').detail | Should -Match '1E\+200'
        ($rejects | Where-Object _id -eq '42').detail | Should -Match '42 \(Int32\)'
        ($rejects | Where-Object reason -eq 'MalformedDocument' | Select-Object -First 1).detail | Should -Match 'products\.json. document #\d+, line \d+'
        ($rejects | Where-Object reason -eq 'ServiceRejected').detail | Should -Match 'ValidationException'
    }

    It 'splits the refused batch to isolate the refused item and counts the extra calls' {
        $stats.refused | Should -BeGreaterThan 1
        $note = $result.Notes | Where-Object { $_ -match 'took (\d+) extra BatchWriteItem' }
        $note | Should -Not -BeNullOrEmpty
        $extra = [int]([regex]::Match($note, 'took (\d+) extra').Groups[1].Value)
        $extra | Should -BeGreaterThan 0
        # one call per batch of 25 items that passed our rules, plus the extra ones
        $stats.batchWriteCalls | Should -Be ([math]::Ceiling(($cleanIds.Count + 1) / 25) + $extra)
    }

    It 'a re-run writes nothing new and adds no reject record' {
        $before = (Get-Content $result.RejectPath).Count
        $again = Invoke-ProductMigration -TableName $table -Path $file
        $again.WrittenThisRun | Should -Be 0
        $again.RejectedThisRun | Should -Be 0
        ($again.Notes -join ' ') | Should -Match 'nothing new'
        (Get-Content $result.RejectPath).Count | Should -Be $before
    }
}

Describe 'Resume only against the same source' -Tag Integration {
    BeforeAll {
        $samples = Join-Path $env:ECOM_REPO_ROOT 'samples/dump/shop'
        $gz = Join-Path $work 'products.bson.gz'
        $in = [System.IO.File]::OpenRead((Join-Path $samples 'products.bson'))
        $out = [System.IO.Compression.GZipStream]::new([System.IO.File]::Create($gz), [System.IO.Compression.CompressionLevel]::Optimal)
        $in.CopyTo($out); $out.Dispose(); $in.Dispose()
    }

    It 'refuses the right file after a wrong one before reading it (MigrationSourceChanged), and -Restart migrates it' {
        $table = New-MigrationTable
        $wrong = Invoke-ProductMigration -TableName $table -Path (Join-Path $samples 'users.bson')
        $wrong.State | Should -Be 'Completed'
        $wrong.Written | Should -Be 0
        $wrong.Rejected | Should -Be 30
        $err = try { Invoke-ProductMigration -TableName $table -Path $gz; $null } catch { $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'MigrationSourceChanged*'
        $err.Exception.Message | Should -Match 'users\.bson'
        $err.Exception.Message | Should -Match 'products\.bson\.gz'
        $err.ErrorDetails.RecommendedAction | Should -Match '-Restart.*idempotent'
        Get-EntityCount $table 'PRODUCT' | Should -Be 0
        $status = Get-StatusItem $table 'Product'
        $status.Checkpoint.S | Should -Be '30'
        $status.SourceLocation.S | Should -Match 'users\.bson$'
        $status.PSObject.Properties.Name | Should -Not -Contain 'LeaseOwner'
        (Test-EcommerceMigration -TableName $table -Entity Product -Path $gz -SampleSize 5).Mismatches.Id | Should -Contain '(source)'
        $right = Invoke-ProductMigration -TableName $table -Path $gz -Restart
        $right.Written | Should -Be 60
        $right.Rejected | Should -Be 4
        Get-EntityCount $table 'PRODUCT' | Should -Be 60
        # the same dump copied elsewhere is the same source
        $copy = Join-Path $work 'copy-of-products.bson.gz'
        Copy-Item $gz $copy
        (Invoke-ProductMigration -TableName $table -Path $copy).WrittenThisRun | Should -Be 0
    }

    It 'a resumed run writes no second reject record and still finds a duplicate key before the checkpoint' {
        $table = New-MigrationTable
        $lines = @('{"_id":{"$numberInt":"7"},"nameEn":"Seven","category":"Beauty"}', '{"_id":"nameless","category":"Beauty"}') + @(0..19 | ForEach-Object { New-CleanLine $_ }) +
            @('{"_id":"7","nameEn":"Seven again","category":"Beauty"}', 'garbage line', '{"_id":"also-nameless","category":"Beauty"}') + @(20..29 | ForEach-Object { New-CleanLine $_ })
        $file = Join-Path $work 'resume.json'
        [System.IO.File]::WriteAllLines($file, [string[]]$lines)
        $first = Invoke-ProductMigration -TableName $table -Path $file
        $first.Rejected | Should -Be 4
        $records = (Get-Content $first.RejectPath).Count
        $records | Should -Be 4
        # As if the run had been killed with its watermark at document 10 while its reader had gone on and rejected the rest.
        $null = Invoke-AwsCli dynamodb update-item --table-name $table --key '{"PK":{"S":"MIGRATION#PRODUCT"},"SK":{"S":"STATUS"}}' `
            --update-expression 'SET #s = :s, Checkpoint = :c, Written = :w, Rejected = :r' --expression-attribute-names '{"#s":"State"}' `
            --expression-attribute-values '{":s":{"S":"Interrupted"},":c":{"S":"10"},":w":{"N":"9"},":r":{"N":"1"}}'
        $resumed = Invoke-ProductMigration -TableName $table -Path $file -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -is [EcommerceAws.Output.MigrationResult] }
        $resumed.State | Should -Be 'Completed'
        $resumed.Written | Should -Be $first.Written
        $resumed.Rejected | Should -Be 4
        $resumed.RejectedThisRun | Should -Be 3
        (Get-Content $first.RejectPath).Count | Should -Be 4
        (Get-Rejects $first.RejectPath | Where-Object _id -eq '7').reason | Should -Be 'DuplicateKey'
        ($all | Where-Object { "$_" -match 'already in the rejects file' }) | Should -Not -BeNullOrEmpty
    }
}

Describe 'A live source: keys that collide, and a document inserted below the checkpoint' -Tag Integration {
    BeforeAll {
        $db = "dirty$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $uri = "$($env:ECOM_TEST_MONGO_URI)$db"
        function Add-DirtyDocs([string[]] $Lines) {
            $f = Join-Path $work "docs-$([guid]::NewGuid().ToString('N')).json"
            [System.IO.File]::WriteAllLines($f, $Lines)
            $null = Invoke-MongoClient --uri $env:ECOM_TEST_MONGO_URI --db $db --collection products insert --file $f
        }
        Add-DirtyDocs (New-ProductLines -Count 30 -Seed 0x77)
        Add-DirtyDocs @('{"_id":{"$numberInt":"5"},"nameEn":"Five","category":"Beauty"}', '{"_id":"5","nameEn":"Five text","category":"Beauty"}',
            ('{"_id":"' + (New-ObjectIdText 0x77 3) + '","nameEn":"Hex text of an ObjectId","category":"Beauty"}'))
        $table = New-MigrationTable
        $result = Invoke-ProductMigration -TableName $table -MongoUri $uri
    }
    AfterAll { $null = Invoke-MongoClient --uri $env:ECOM_TEST_MONGO_URI --db $db --collection products drop }

    It 'keeps the first in _id order (numbers, then strings, then ObjectIds) and rejects the rest as DuplicateKey' {
        $result.Written | Should -Be 31
        $result.Rejected | Should -Be 2
        (Get-ProductItem $table '5').nameEn.S | Should -Be 'Five'
        (Get-ProductItem $table (New-ObjectIdText 0x77 3)).nameEn.S | Should -Be 'Hex text of an ObjectId'
        $rejects = Get-Rejects $result.RejectPath
        ($rejects.reason | Sort-Object -Unique) | Should -Be 'DuplicateKey'
        ($rejects | Where-Object _id -eq '5').detail | Should -Match '5 \(Int32\)'
        ($rejects | Where-Object _id -eq (New-ObjectIdText 0x77 3)).position | Should -Match '\$oid'
        (Test-EcommerceMigration -TableName $table -Entity Product -MongoUri $uri -SampleSize 100).Passed | Should -BeTrue
    }

    It 'reports a document inserted below the checkpoint instead of "nothing new", and -Restart picks it up' {
        Add-DirtyDocs @('{"_id":{"$oid":"000000000000000000000001"},"nameEn":"Late but low","category":"Beauty"}')
        $again = Invoke-ProductMigration -TableName $table -MongoUri $uri -WarningVariable warned -WarningAction SilentlyContinue
        $again.WrittenThisRun | Should -Be 0
        $again.SourceCount | Should -Be 34
        ($again.Notes -join ' ') | Should -Not -Match 'nothing new'
        ($again.Notes -join ' ') | Should -Match '1 document\(s\) have _ids below the checkpoint'
        "$warned" | Should -Match '-Restart'
        (Get-StatusItem $table 'Product').SourceCount.N | Should -Be '34'
        $v = Test-EcommerceMigration -TableName $table -Entity Product -MongoUri $uri -SampleSize 0
        $v.Passed | Should -BeFalse
        $v.ExpectedCount | Should -Be 32
        $fixed = Invoke-ProductMigration -TableName $table -MongoUri $uri -Restart
        $fixed.Written | Should -Be 32
        (Test-EcommerceMigration -TableName $table -Entity Product -MongoUri $uri -SampleSize 50).Passed | Should -BeTrue
    }
}

Describe 'Verification after the cut-over steps' -Tag Integration {
    BeforeAll {
        $table = New-MigrationTable
        $bucket = New-TestName 'dirty'
        Invoke-AwsCli s3api create-bucket --bucket $bucket | Out-Null
        $uploads = Join-Path $work 'uploads'
        $null = New-Item -ItemType Directory $uploads
        $png = [byte[]](0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A) + [byte[]](1..200)
        [IO.File]::WriteAllBytes((Join-Path $uploads 'a.png'), $png)
        [IO.File]::WriteAllBytes((Join-Path $uploads 'b.png'), [byte[]]($png + 7))
        $lines = 0..4 | ForEach-Object { '{"_id":"shop-' + $_ + '","nameEn":"Item ' + $_ + '","category":"Art","price":{"$numberInt":"15000"},"images":["/uploads/a.png","/uploads/b.png","/uploads/missing.png"],"updatedAt":{"$date":"2024-01-01T00:00:00Z"}}' }
        $file = Join-Path $work 'art.json'
        [System.IO.File]::WriteAllLines($file, [string[]]$lines)
        $null = Invoke-ProductMigration -TableName $table -Path $file
        $published = Publish-ProductAsset -TableName $table -BucketName $bucket -CdnDomain 'd2222abcdef.cloudfront.net' -SourceRoot $uploads -Confirm:$false -ErrorAction SilentlyContinue
    }
    AfterAll { & /usr/bin/aws --endpoint-url $env:AWS_ENDPOINT_URL --region us-east-1 s3 rb "s3://$bucket" --force *> $null }

    It 'passes after Publish-ProductAsset rewrote images (CDN URLs, imagesOriginal, updatedAt)' {
        $published.ProductsUpdated | Should -Be 5
        $item = Get-ProductItem $table 'shop-0'
        $item.images.L[0].S | Should -Match '^https://d2222abcdef\.cloudfront\.net/products/shop-0/[0-9a-f]{64}\.png$'
        $item.images.L[2].S | Should -Be '/uploads/missing.png'
        $item.imagesOriginal.L.Count | Should -Be 3
        $v = Test-EcommerceMigration -TableName $table -Entity Product -Path $file -SampleSize 5
        $v.Mismatches | Should -BeNullOrEmpty
        $v.Passed | Should -BeTrue
    }

    It 'still fails on a price changed behind its back, showing both values' {
        $null = Invoke-AwsCli dynamodb update-item --table-name $table --key '{"PK":{"S":"PRODUCT#shop-1"},"SK":{"S":"PRODUCT#shop-1"}}' --update-expression 'SET price = :p' --expression-attribute-values '{":p":{"N":"9999"}}'
        $v = Test-EcommerceMigration -TableName $table -Entity Product -Path $file -SampleSize 5
        $v.Passed | Should -BeFalse
        $m = $v.Mismatches | Where-Object { $_.Id -eq 'shop-1' -and $_.Attribute -eq 'price' }
        $m.Problem | Should -Be 'expected N 15000, table has N 9999'
    }

    It 'and on an image swapped for another URL, naming the element' {
        $null = Invoke-AwsCli dynamodb update-item --table-name $table --key '{"PK":{"S":"PRODUCT#shop-2"},"SK":{"S":"PRODUCT#shop-2"}}' --update-expression 'SET images[1] = :u' --expression-attribute-values '{":u":{"S":"https://evil.example/x.png"}}'
        $m = (Test-EcommerceMigration -TableName $table -Entity Product -Path $file -SampleSize 5).Mismatches | Where-Object Id -eq 'shop-2'
        $m.Attribute | Should -Be 'images.1'
        $m.Problem | Should -Match '/uploads/b\.png.*https://evil\.example/x\.png'
    }
}

Describe 'The product cmdlets check the same rules before any call' -Tag Integration {
    It 'New-EcommerceProduct with a 1,100-character name is KeyTooLong and writes nothing; Set-EcommerceProduct likewise' {
        $table = New-MigrationTable
        $err = try { New-EcommerceProduct -TableName $table -NameEn ('n' * 1100) -Category 'Beauty' -Price 100 -Confirm:$false; $null } catch { $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'KeyTooLong*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match '1,108 bytes'
        (Invoke-AwsCli dynamodb scan --table-name $table --select COUNT).Count | Should -Be 0
        $p = New-EcommerceProduct -TableName $table -NameEn 'Short' -Category 'Beauty' -Price 100 -Confirm:$false
        (Get-ErrorId { Set-EcommerceProduct -TableName $table -Id $p.Id -NameEn ('n' * 1100) -Confirm:$false }) | Should -BeLike 'KeyTooLong*'
        (Get-ErrorId { Set-EcommerceProduct -TableName $table -Id $p.Id -Category ('c' * 1100) -Confirm:$false }) | Should -BeLike 'KeyTooLong*'
        (Get-ProductItem $table $p.Id).nameEn.S | Should -Be 'Short'
    }
}
