#Requires -Version 7.0
# Tests for the MongoDB wire-protocol test fixture (tests/Fixtures/MongoWire), always driven through the
# real MongoDB.Driver via `MongoWire.dll client`. The harness provides:
#   $env:ECOM_MONGOWIRE_DLL   path to the built MongoWire.dll
#   $env:ECOM_TEST_MONGO_URI  a running no-auth fixture server, e.g. mongodb://127.0.0.1:PORT/
# Every test works in its own mw_<guid> database, so a shared server is fine.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'MongoWireHelpers.psm1') -Force
    $script:Dll = $env:ECOM_MONGOWIRE_DLL
    $script:Uri = $env:ECOM_TEST_MONGO_URI
    if (-not $script:Dll -or -not (Test-Path -LiteralPath $script:Dll)) {
        throw "ECOM_MONGOWIRE_DLL must point at the built MongoWire.dll (got '$script:Dll')."
    }
    if (-not $script:Uri) {
        throw 'ECOM_TEST_MONGO_URI must name a running MongoWire server.'
    }

    # Runs `MongoWire client` and returns exit code, stdout lines and stderr text.
    function Invoke-MongoWireClient {
        param(
            [Parameter(Mandatory, Position = 0)] [string[]] $Arguments,
            [string] $Uri = $script:Uri
        )
        $stderrFile = New-TemporaryFile
        try {
            $lines = @(& dotnet $script:Dll client --uri $Uri @Arguments 2> $stderrFile.FullName)
            [pscustomobject]@{
                ExitCode = $LASTEXITCODE
                Lines    = $lines
                Stderr   = (Get-Content -Raw -LiteralPath $stderrFile.FullName)
            }
        }
        finally {
            Remove-Item -LiteralPath $stderrFile.FullName -Force
        }
    }


    # Writes Extended JSON text to a temp file and returns its path.
    function New-JsonFile([string] $Text) {
        $path = Join-Path ([IO.Path]::GetTempPath()) ("mw_" + [guid]::NewGuid().ToString('N') + '.json')
        [IO.File]::WriteAllText($path, $Text)
        $path
    }


}

Describe 'MongoWire fixture: bulk data and cursors' -Tag Integration {
    BeforeAll {
        $script:BulkDb = New-TestDatabaseName
        # 2,500 documents; score is a scrambled 0..999 so sorting really reorders them.
        $script:BulkDocs = foreach ($i in 0..2499) {
            [pscustomobject]@{ _id = $i; grp = $i % 5; name = 'item-{0:D5}' -f $i; score = ($i * 7919) % 1000 }
        }
        $lines = $script:BulkDocs | ForEach-Object { $_ | ConvertTo-Json -Compress }
        $script:BulkFile = New-JsonFile ($lines -join "`n")
        $script:BulkInsert = Invoke-MongoWireClient 'insert', '--db', $script:BulkDb, '--collection', 'items', '--file', $script:BulkFile
    }

    AfterAll {
        Remove-Item -LiteralPath $script:BulkFile -Force -ErrorAction SilentlyContinue
    }

    It 'inserts 2,500 documents with InsertMany' {
        $script:BulkInsert.ExitCode | Should -Be 0 -Because $script:BulkInsert.Stderr
        $script:BulkInsert.Lines | Should -Be 'inserted 2500'
    }

    It 'returns filtered, sorted documents across several getMore batches' {
        $result = Invoke-MongoWireClient 'find', '--db', $script:BulkDb, '--collection', 'items',
            '--filter', '{"grp": 3, "score": {"$gte": 100}}', '--sort', '{"score": -1, "_id": 1}', '--batch-size', '100'

        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        $expected = $script:BulkDocs |
            Where-Object { $_.grp -eq 3 -and $_.score -ge 100 } |
            Sort-Object @{ Expression = 'score'; Descending = $true }, @{ Expression = '_id'; Descending = $false } |
            ForEach-Object _id
        $expected.Count | Should -BeGreaterThan 300 -Because 'the result must span more than three batches of 100'
        $actual = $result.Lines | ForEach-Object { ($_ | ConvertFrom-Json)._id }
        ($actual -join ',') | Should -Be ($expected -join ',')
    }

    It 'pages an unfiltered find in natural (insertion) order' {
        $result = Invoke-MongoWireClient 'find', '--db', $script:BulkDb, '--collection', 'items', '--batch-size', '100'

        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        $result.Lines.Count | Should -Be 2500
        $actual = $result.Lines | ForEach-Object { ($_ | ConvertFrom-Json)._id }
        ($actual -join ',') | Should -Be ((0..2499) -join ',')
    }

    It 'applies sort, skip and limit together' {
        $result = Invoke-MongoWireClient 'find', '--db', $script:BulkDb, '--collection', 'items',
            '--filter', '{"_id": {"$lt": 1000}}', '--sort', '{"_id": -1}', '--skip', '2', '--limit', '3'

        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        ($result.Lines | ForEach-Object { ($_ | ConvertFrom-Json)._id }) -join ',' | Should -Be '997,996,995'
    }

    It 'keeps a server cursor open for getMore and closes it on killCursors' {
        $first = Invoke-MongoWireClient 'command', '--db', $script:BulkDb, '--json', '{"find": "items", "filter": {"grp": 1}, "batchSize": 100}'
        $first.ExitCode | Should -Be 0 -Because $first.Stderr
        $cursor = ($first.Lines | ConvertFrom-Json).cursor
        $cursor.firstBatch.Count | Should -Be 100
        $cursor.ns | Should -Be "$($script:BulkDb).items"
        $cursor.id | Should -Not -Be 0

        $getMore = '{"getMore": {"$numberLong": "' + $cursor.id + '"}, "collection": "items", "batchSize": 150}'
        $second = Invoke-MongoWireClient 'command', '--db', $script:BulkDb, '--json', $getMore
        $second.ExitCode | Should -Be 0 -Because $second.Stderr
        $next = ($second.Lines | ConvertFrom-Json).cursor
        $next.nextBatch.Count | Should -Be 150
        $next.nextBatch[0]._id | Should -Be 501 -Because 'grp 1 holds ids 1, 6, 11, ...; the 101st is 501'

        $kill = '{"killCursors": "items", "cursors": [{"$numberLong": "' + $cursor.id + '"}]}'
        (Invoke-MongoWireClient 'command', '--db', $script:BulkDb, '--json', $kill).ExitCode | Should -Be 0
        $afterKill = Invoke-MongoWireClient 'command', '--db', $script:BulkDb, '--json', $getMore
        $afterKill.ExitCode | Should -Be 3
        $afterKill.Lines | Should -Be 'error 43 CursorNotFound'
    }

    It 'counts with CountDocuments without a filter' {
        $result = Invoke-MongoWireClient 'count', '--db', $script:BulkDb, '--collection', 'items'
        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        $result.Lines | Should -Be '2500'
    }

    It 'counts with CountDocuments and a filter: <Filter>' -ForEach @(
        @{ Filter = '{"grp": 3}'; Where = { $_.grp -eq 3 } }
        @{ Filter = '{"grp": {"$in": [0, 4]}, "score": {"$lt": 500}}'; Where = { $_.grp -in 0, 4 -and $_.score -lt 500 } }
        @{ Filter = '{"name": "item-00042"}'; Where = { $_.name -eq 'item-00042' } }
        @{ Filter = '{"grp": {"$ne": 2}, "missing": {"$exists": false}}'; Where = { $_.grp -ne 2 } }
        @{ Filter = '{"$or": [{"score": {"$lte": 10}}, {"score": {"$gt": 990}}]}'; Where = { $_.score -le 10 -or $_.score -gt 990 } }
        @{ Filter = '{"nosuchfield": 1}'; Where = { $false } }
    ) {
        $expected = @($script:BulkDocs | Where-Object $Where).Count
        $result = Invoke-MongoWireClient 'count', '--db', $script:BulkDb, '--collection', 'items', '--filter', $Filter
        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        $result.Lines | Should -Be "$expected"
    }

    It 'reports EstimatedDocumentCount' {
        $result = Invoke-MongoWireClient 'estimated-count', '--db', $script:BulkDb, '--collection', 'items'
        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        $result.Lines | Should -Be '2500'
    }

    It 'samples distinct random documents with $sample' {
        $result = Invoke-MongoWireClient 'aggregate', '--db', $script:BulkDb, '--collection', 'items', '--pipeline', '[{"$sample": {"size": 25}}]'
        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        $ids = $result.Lines | ForEach-Object { ($_ | ConvertFrom-Json)._id }
        $ids.Count | Should -Be 25
        ($ids | Sort-Object -Unique).Count | Should -Be 25
    }

    It 'groups and counts with $group/$sum' {
        $pipeline = '[{"$match": {"score": {"$gte": 0}}}, {"$group": {"_id": "$grp", "n": {"$sum": 1}}}, {"$sort": {"_id": 1}}]'
        $result = Invoke-MongoWireClient 'aggregate', '--db', $script:BulkDb, '--collection', 'items', '--pipeline', $pipeline
        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        $groups = $result.Lines | ConvertFrom-Json
        ($groups | ForEach-Object { "$($_._id)=$($_.n)" }) -join ',' | Should -Be '0=500,1=500,2=500,3=500,4=500'
    }
}

Describe 'MongoWire fixture: namespaces and write errors' -Tag Integration {
    It 'lists the collections of a database' {
        $db = New-TestDatabaseName
        $file = New-JsonFile '{"a": 1}'
        try {
            foreach ($name in 'orders', 'customers', 'products') {
                (Invoke-MongoWireClient 'insert', '--db', $db, '--collection', $name, '--file', $file).ExitCode | Should -Be 0
            }
            $result = Invoke-MongoWireClient 'list-collections', '--db', $db
            $result.ExitCode | Should -Be 0 -Because $result.Stderr
            ($result.Lines | Sort-Object) -join ',' | Should -Be 'customers,orders,products'

            (Invoke-MongoWireClient 'drop', '--db', $db, '--collection', 'orders').Lines | Should -Be 'dropped'
            ((Invoke-MongoWireClient 'list-collections', '--db', $db).Lines | Sort-Object) -join ',' | Should -Be 'customers,products'
            (Invoke-MongoWireClient 'list-databases').Lines | Should -Contain $db
        }
        finally {
            Remove-Item -LiteralPath $file -Force
        }
    }

    It 'rejects a duplicate _id with E11000 and stops an ordered insert' {
        $db = New-TestDatabaseName
        $file = New-JsonFile "{`"_id`": 1}`n{`"_id`": 2}`n{`"_id`": 2}`n{`"_id`": 3}"
        try {
            $result = Invoke-MongoWireClient 'insert', '--db', $db, '--collection', 'dups', '--file', $file
            $result.ExitCode | Should -Be 3
            $result.Lines | Should -Be @('inserted 2', 'error 11000 DuplicateKey')
            (Invoke-MongoWireClient 'count', '--db', $db, '--collection', 'dups').Lines | Should -Be '2'
        }
        finally {
            Remove-Item -LiteralPath $file -Force
        }
    }

    It 'keeps going after a duplicate _id when the insert is unordered' {
        $db = New-TestDatabaseName
        $file = New-JsonFile "{`"_id`": 1}`n{`"_id`": 2}`n{`"_id`": 2}`n{`"_id`": 3}"
        try {
            $result = Invoke-MongoWireClient 'insert', '--db', $db, '--collection', 'dups', '--file', $file, '--unordered'
            $result.ExitCode | Should -Be 3
            $result.Lines | Should -Contain 'error 11000 DuplicateKey'
            (Invoke-MongoWireClient 'count', '--db', $db, '--collection', 'dups').Lines | Should -Be '3'
        }
        finally {
            Remove-Item -LiteralPath $file -Force
        }
    }
}

Describe 'MongoWire fixture: update, replace, delete and apply (what an application simulator sends)' -Tag Integration {
    BeforeEach {
        $script:WriteDb = New-TestDatabaseName
        $file = New-JsonFile "{`"_id`": 1, `"price`": 100, `"tags`": [`"a`"]}`n{`"_id`": 2, `"price`": 200}`n{`"_id`": {`"`$oid`": `"65a1b2c3d4e5f60718293a4b`"}, `"price`": 300}"
        try { $null = Invoke-MongoWireClient 'insert', '--db', $script:WriteDb, '--collection', 'p', '--file', $file }
        finally { Remove-Item -LiteralPath $file -Force }
        function Get-Doc($Id) {
            $found = Invoke-MongoWireClient 'find', '--db', $script:WriteDb, '--collection', 'p', '--filter', "{`"_id`": $Id}"
            $found.Lines | ConvertFrom-Json
        }
    }

    It 'updates one document by _id with operators' {
        $result = Invoke-MongoWireClient 'update', '--db', $script:WriteDb, '--collection', 'p', '--id', '1',
            '--update', '{"$inc": {"price": 50}, "$push": {"tags": "b"}, "$set": {"nameFr": "Sac"}}'
        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        $result.Lines | Should -Be 'matched 1 modified 1'
        Get-Doc 1 | ConvertTo-Json -Compress | Should -Be '{"_id":1,"price":150,"tags":["a","b"],"nameFr":"Sac"}'
    }

    It 'updates many with --filter --multi, and upserts with --upsert' {
        $many = Invoke-MongoWireClient 'update', '--db', $script:WriteDb, '--collection', 'p', '--filter', '{"price": {"$gte": 200}}', '--multi', '--update', '{"$set": {"big": true}}'
        $many.Lines | Should -Be 'matched 2 modified 2'
        $upsert = Invoke-MongoWireClient 'update', '--db', $script:WriteDb, '--collection', 'p', '--id', '9', '--upsert', '--update', '{"$set": {"price": 9}}'
        $upsert.Lines | Should -Be 'matched 0 modified 0 upserted 9'
        (Get-Doc 9).price | Should -Be 9
    }

    It 'replaces a document by an ObjectId _id, keeping the _id' {
        $result = Invoke-MongoWireClient 'replace', '--db', $script:WriteDb, '--collection', 'p', '--id', '{"$oid": "65a1b2c3d4e5f60718293a4b"}', '--replacement', '{"nameEn": "Tote"}'
        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        $result.Lines | Should -Be 'matched 1 modified 1'
        Get-Doc '{"$oid": "65a1b2c3d4e5f60718293a4b"}' | ConvertTo-Json -Compress | Should -Be '{"_id":{"$oid":"65a1b2c3d4e5f60718293a4b"},"nameEn":"Tote"}'
    }

    It 'deletes by _id, and many with --filter --many' {
        (Invoke-MongoWireClient 'delete', '--db', $script:WriteDb, '--collection', 'p', '--id', '2').Lines | Should -Be 'deleted 1'
        (Invoke-MongoWireClient 'delete', '--db', $script:WriteDb, '--collection', 'p', '--id', '2').Lines | Should -Be 'deleted 0'
        (Invoke-MongoWireClient 'delete', '--db', $script:WriteDb, '--collection', 'p', '--filter', '{}', '--many').Lines | Should -Be 'deleted 2'
        (Invoke-MongoWireClient 'count', '--db', $script:WriteDb, '--collection', 'p').Lines | Should -Be '0'
    }

    It 'refuses an update without operators (the driver requires them) and a target given twice' {
        $plain = Invoke-MongoWireClient 'update', '--db', $script:WriteDb, '--collection', 'p', '--id', '1', '--update', '{"price": 1}'
        $plain.ExitCode | Should -Be 1
        $both = Invoke-MongoWireClient 'delete', '--db', $script:WriteDb, '--collection', 'p', '--id', '1', '--filter', '{}'
        $both.ExitCode | Should -Be 2
    }

    It 'applies a script of writes in one process, and stops at the first failure' {
        $opsFile = New-JsonFile (@(
                '{"op": "insert", "document": {"_id": 3, "price": 1}}'
                '{"op": "update", "id": 3, "update": {"$inc": {"price": 1}}}'
                '{"op": "replace", "id": 2, "replacement": {"price": 7}}'
                '{"op": "delete", "id": 1}'
                '{"op": "insert", "collection": "other", "document": {"_id": 1}}'
                '{"op": "insert", "document": {"_id": 3}}'
                '{"op": "delete", "id": 3}'
            ) -join "`n")
        try {
            $result = Invoke-MongoWireClient 'apply', '--db', $script:WriteDb, '--collection', 'p', '--file', $opsFile
            $result.ExitCode | Should -Be 3
            $result.Lines | Should -Be @('applied 5', 'error 11000 DuplicateKey')
            $result.Stderr | Should -Match 'line 6 \(insert\) failed'
            (Get-Doc 3).price | Should -Be 2 -Because 'the delete after the failed line never ran'
            (Get-Doc 2) | ConvertTo-Json -Compress | Should -Be '{"_id":2,"price":7}'
            Get-Doc 1 | Should -BeNullOrEmpty
            (Invoke-MongoWireClient 'count', '--db', $script:WriteDb, '--collection', 'other').Lines | Should -Be '1'
        }
        finally {
            Remove-Item -LiteralPath $opsFile -Force
        }
    }
}

Describe 'MongoWire fixture: apply --lanes (an application writing on several connections)' -Tag Integration {
    It 'applies every line on N connections; the writes of one document stay in order' {
        $db = New-TestDatabaseName
        $ops = [System.Collections.Generic.List[string]]::new()
        # One document's writes are adjacent: spread over the connections they would race (a lane per line would lose the order).
        foreach ($i in 0..39) {
            $ops.Add('{"op": "insert", "document": {"_id": ' + (100 + $i) + ', "price": 0}}')
            foreach ($k in 1..5) { $ops.Add('{"op": "update", "id": ' + (100 + $i) + ', "update": {"$set": {"price": ' + $k + '}}}') }
            if ($i -lt 10) { $ops.Add('{"op": "delete", "id": ' + (100 + $i) + '}') }
        }
        $opsFile = New-JsonFile ($ops -join "`n")
        try {
            $result = Invoke-MongoWireClient 'apply', '--db', $db, '--collection', 'lanes', '--file', $opsFile, '--lanes', '4'
            $result.ExitCode | Should -Be 0
            $result.Lines | Should -Be 'applied 250'
            (Invoke-MongoWireClient 'count', '--db', $db, '--collection', 'lanes').Lines | Should -Be '30'
            (Invoke-MongoWireClient 'count', '--db', $db, '--collection', 'lanes', '--filter', '{"price": 5}').Lines | Should -Be '30' -Because 'each document got its updates in script order'
        }
        finally {
            Remove-Item -LiteralPath $opsFile -Force
        }
    }
}

Describe 'MongoWire fixture: BSON types' -Tag Integration {
    BeforeAll {
        $script:TypedDb = New-TestDatabaseName
        $script:TypedFile = New-JsonFile @'
[
  {"_id": {"$oid": "65a1b2c3d4e5f60718293a4b"},
   "placedAt": {"$date": "2024-01-02T03:04:05.678Z"},
   "total": {"$numberDecimal": "1234.50"},
   "views": {"$numberLong": "9007199254740993"},
   "qty": 7,
   "ratio": 0.25},
  {"_id": {"$oid": "65a1b2c3d4e5f60718293a4c"}, "placedAt": {"$date": "2023-06-30T00:00:00Z"}}
]
'@
        $script:TypedInsert = Invoke-MongoWireClient 'insert', '--db', $script:TypedDb, '--collection', 'orders', '--file', $script:TypedFile
    }

    AfterAll {
        Remove-Item -LiteralPath $script:TypedFile -Force -ErrorAction SilentlyContinue
    }

    It 'round-trips $oid, $date, $numberDecimal and $numberLong' {
        $script:TypedInsert.Lines | Should -Be 'inserted 2'
        $result = Invoke-MongoWireClient 'find', '--db', $script:TypedDb, '--collection', 'orders',
            '--filter', '{"_id": {"$oid": "65a1b2c3d4e5f60718293a4b"}}', '--output', 'canonical'

        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        $result.Lines.Count | Should -Be 1
        $doc = $result.Lines[0] | ConvertFrom-Json
        $doc._id.'$oid' | Should -Be '65a1b2c3d4e5f60718293a4b'
        $doc.placedAt.'$date'.'$numberLong' | Should -Be ([DateTimeOffset]::Parse('2024-01-02T03:04:05.678Z').ToUnixTimeMilliseconds().ToString())
        $doc.total.'$numberDecimal' | Should -Be '1234.50'
        $doc.views.'$numberLong' | Should -Be '9007199254740993'
        $doc.qty.'$numberInt' | Should -Be '7'
        $doc.ratio.'$numberDouble' | Should -Be '0.25'
    }

    It 'prints relaxed Extended JSON by default' {
        $result = Invoke-MongoWireClient 'find', '--db', $script:TypedDb, '--collection', 'orders', '--filter', '{"qty": 7}'
        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        $result.Lines | Should -Match '"placedAt" : \{ "\$date" : "2024-01-02T03:04:05.678Z" \}'
        $result.Lines | Should -Match '"total" : \{ "\$numberDecimal" : "1234.50" \}'
    }

    It 'filters on typed values: <Name>' -ForEach @(
        @{ Name = 'date range'; Filter = '{"placedAt": {"$gte": {"$date": "2024-01-01T00:00:00Z"}}}'; Expected = 1 }
        @{ Name = 'numberLong equality'; Filter = '{"views": {"$numberLong": "9007199254740993"}}'; Expected = 1 }
        @{ Name = 'decimal vs int comparison'; Filter = '{"total": {"$gt": 1234}}'; Expected = 1 }
        @{ Name = 'ObjectId $in'; Filter = '{"_id": {"$in": [{"$oid": "65a1b2c3d4e5f60718293a4b"}, {"$oid": "65a1b2c3d4e5f60718293a4c"}]}}'; Expected = 2 }
    ) {
        $result = Invoke-MongoWireClient 'count', '--db', $script:TypedDb, '--collection', 'orders', '--filter', $Filter
        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        $result.Lines | Should -Be "$Expected"
    }
}

Describe 'MongoWire fixture: errors are never silent' -Tag Integration {
    It 'answers an unknown command with code 59 CommandNotFound' {
        $result = Invoke-MongoWireClient 'command', '--db', (New-TestDatabaseName), '--json', '{"frobnicate": 1}'
        $result.ExitCode | Should -Be 3
        $result.Lines | Should -Be 'error 59 CommandNotFound'
        $result.Stderr | Should -Match "no such command: 'frobnicate'"
    }

    It 'rejects an unsupported query operator with code 2 BadValue' {
        $result = Invoke-MongoWireClient 'count', '--db', (New-TestDatabaseName), '--collection', 'c', '--filter', '{"a": {"$where": "true"}}'
        $result.ExitCode | Should -Be 3
        $result.Lines | Should -Be 'error 2 BadValue'
    }

    It 'rejects an unsupported pipeline stage' {
        $result = Invoke-MongoWireClient 'aggregate', '--db', (New-TestDatabaseName), '--collection', 'c', '--pipeline', '[{"$lookup": {}}]'
        $result.ExitCode | Should -Be 3
        $result.Lines | Should -Be 'error 40324 Location40324'
    }

    It 'fails fast when no server listens' {
        $result = Invoke-MongoWireClient -Uri 'mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=1000' -Arguments 'count', '--db', 'x', '--collection', 'c'
        $result.ExitCode | Should -Be 1
        $result.Stderr | Should -Match 'TimeoutException'
    }
}

Describe 'MongoWire fixture: SCRAM authentication' -Tag Integration {
    BeforeAll {
        $script:AuthServer = Start-PrivateMongoWire @('--user', 'admin', '--password', 's3cr3t!')
        $script:AuthBase = "127.0.0.1:$($script:AuthServer.Port)"
        $password = [uri]::EscapeDataString('s3cr3t!')
        $script:GoodUri = "mongodb://admin:$password@$($script:AuthBase)/?authSource=admin"
        $script:AuthDb = New-TestDatabaseName
        $script:AuthFile = New-JsonFile '{"_id": 1, "secret": true}'
    }

    AfterAll {
        Stop-PrivateMongoWire $script:AuthServer
        Remove-Item -LiteralPath $script:AuthFile -Force -ErrorAction SilentlyContinue
    }

    It 'accepts the right password (default mechanism: SCRAM-SHA-256)' {
        $insert = Invoke-MongoWireClient -Uri $script:GoodUri -Arguments 'insert', '--db', $script:AuthDb, '--collection', 'c', '--file', $script:AuthFile
        $insert.ExitCode | Should -Be 0 -Because $insert.Stderr
        $count = Invoke-MongoWireClient -Uri $script:GoodUri -Arguments 'count', '--db', $script:AuthDb, '--collection', 'c'
        $count.Lines | Should -Be '1'
        $status = Invoke-MongoWireClient -Uri $script:GoodUri -Arguments 'command', '--db', 'admin', '--json', '{"connectionStatus": 1}'
        ($status.Lines | ConvertFrom-Json).authInfo.authenticatedUsers[0].user | Should -Be 'admin'
    }

    It 'accepts the right password with authMechanism=<Mechanism>' -ForEach @(
        @{ Mechanism = 'SCRAM-SHA-1' }
        @{ Mechanism = 'SCRAM-SHA-256' }
    ) {
        $result = Invoke-MongoWireClient -Uri "$($script:GoodUri)&authMechanism=$Mechanism" -Arguments 'estimated-count', '--db', $script:AuthDb, '--collection', 'c'
        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        $result.Lines | Should -Be '1'
    }

    It 'rejects a wrong password with code 18 AuthenticationFailed' {
        $result = Invoke-MongoWireClient -Uri "mongodb://admin:wrong@$($script:AuthBase)/?authSource=admin" -Arguments 'count', '--db', $script:AuthDb, '--collection', 'c'
        $result.ExitCode | Should -Be 3
        $result.Lines | Should -Be 'error 18 AuthenticationFailed'
    }

    It 'rejects an unknown user with code 18 AuthenticationFailed' {
        $result = Invoke-MongoWireClient -Uri "mongodb://nobody:s3cr3t%21@$($script:AuthBase)/?authSource=admin" -Arguments 'command', '--db', 'admin', '--json', '{"ping": 1}'
        $result.ExitCode | Should -Be 3
        $result.Lines | Should -Be 'error 18 AuthenticationFailed'
    }

    It 'refuses data commands from an unauthenticated connection with code 13 Unauthorized' {
        $result = Invoke-MongoWireClient -Uri "mongodb://$($script:AuthBase)/" -Arguments 'count', '--db', $script:AuthDb, '--collection', 'c'
        $result.ExitCode | Should -Be 3
        $result.Lines | Should -Be 'error 13 Unauthorized'
    }

    It 'fails any login against a server started without --user' {
        $result = Invoke-MongoWireClient -Uri ($script:Uri -replace '^mongodb://', 'mongodb://admin:s3cr3t%21@') -Arguments 'command', '--db', 'admin', '--json', '{"ping": 1}'
        $result.ExitCode | Should -Be 3
        $result.Lines | Should -Be 'error 18 AuthenticationFailed'
    }
}
