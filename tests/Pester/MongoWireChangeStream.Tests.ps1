#Requires -Version 7.0
# Change streams of the MongoDB wire test server (tests/Fixtures/MongoWire `serve --replica-set`), driven
# only through real drivers: MongoDB.Driver 3.14's Watch() (`MongoWire.dll client watch`) and the npm
# `mongodb` driver (tests/Fixtures/node-mongo/watch.mjs). The harness provides:
#   $env:ECOM_MONGOWIRE_DLL   path to the built MongoWire.dll
#   $env:ECOM_TEST_MONGO_URI  the shared standalone server (for the "not a replica set" checks)
#   $env:ECOM_REPO_ROOT       the repository (for the node client; build.ps1 Bootstrap runs npm ci)
# This file starts its own replica-set servers. Every test works in its own cs_<guid> database.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'MongoWireHelpers.psm1') -Force
    $script:Dll = $env:ECOM_MONGOWIRE_DLL
    $script:StandaloneUri = $env:ECOM_TEST_MONGO_URI
    if (-not $script:Dll -or -not (Test-Path -LiteralPath $script:Dll)) {
        throw "ECOM_MONGOWIRE_DLL must point at the built MongoWire.dll (got '$script:Dll')."
    }
    if (-not $script:StandaloneUri) { throw 'ECOM_TEST_MONGO_URI must name a running (standalone) MongoWire server.' }
    $root = if ($env:ECOM_REPO_ROOT) { $env:ECOM_REPO_ROOT } else { (Resolve-Path "$PSScriptRoot/../..").Path }
    $script:NodeWatch = Join-Path $root 'tests/Fixtures/node-mongo/watch.mjs'
    if (-not (Test-Path (Join-Path $root 'tests/Fixtures/node-mongo/node_modules/mongodb'))) {
        throw 'The npm mongodb driver is missing: run ./build.ps1 Bootstrap (npm ci in tests/Fixtures/node-mongo).'
    }

    # Runs a client (dotnet MongoWire.dll client … or node watch.mjs …): exit code, stdout lines, stderr, seconds.
    function Invoke-Client {
        param([Parameter(Mandatory)] [string] $FileName, [Parameter(Mandatory)] [string[]] $Arguments)
        $process = Start-Client -FileName $FileName -Arguments $Arguments
        Wait-Client $process
    }

    function Start-Client {
        param([Parameter(Mandatory)] [string] $FileName, [Parameter(Mandatory)] [string[]] $Arguments)
        $startInfo = [System.Diagnostics.ProcessStartInfo]::new($FileName)
        foreach ($argument in $Arguments) { $startInfo.ArgumentList.Add($argument) }
        $startInfo.UseShellExecute = $false
        $startInfo.RedirectStandardOutput = $true
        $startInfo.RedirectStandardError = $true
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $process = [System.Diagnostics.Process]::Start($startInfo)
        [pscustomobject]@{
            Process = $process
            Clock   = $clock
            Stdout  = $process.StandardOutput.ReadToEndAsync()
            Stderr  = $process.StandardError
        }
    }

    # Waits until a started watcher says "watching" on stderr (its stream is open).
    function Wait-Watching($Client, [int] $TimeoutSeconds = 60) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while ([DateTime]::UtcNow -lt $deadline) {
            $line = $Client.Stderr.ReadLineAsync()
            if (-not $line.Wait([TimeSpan]::FromSeconds(5))) { continue }
            if ($null -eq $line.Result) { throw "The watcher exited before its stream was open: $($Client.Stdout.Result)" }
            if ($line.Result -eq 'watching') { return }
        }
        throw 'The watcher did not open its stream in time.'
    }

    function Wait-Client($Client, [int] $TimeoutSeconds = 90) {
        if (-not $Client.Process.WaitForExit($TimeoutSeconds * 1000)) {
            $Client.Process.Kill($true)
            throw "Client did not finish within $TimeoutSeconds s."
        }
        $Client.Process.WaitForExit()
        $seconds = $Client.Clock.Elapsed.TotalSeconds
        [pscustomobject]@{
            ExitCode = $Client.Process.ExitCode
            Lines    = @($Client.Stdout.Result -split "`n" | Where-Object { $_ -ne '' })
            Stderr   = $Client.Stderr.ReadToEnd()
            Seconds  = $seconds
        }
    }

    function Invoke-DotnetClient([string] $Uri, [string[]] $Arguments) {
        Invoke-Client -FileName 'dotnet' -Arguments (@($script:Dll, 'client', '--uri', $Uri) + $Arguments)
    }

    function Invoke-NodeWatch([string] $Uri, [string[]] $Arguments) {
        Invoke-Client -FileName 'node' -Arguments (@($script:NodeWatch, '--uri', $Uri) + $Arguments)
    }

    function ConvertFrom-EventLine([string] $Line) { $Line | ConvertFrom-Json -DateKind String }

    # The value at a dotted path of a parsed event, or $null where a part is missing (build.ps1 runs the
    # tests under StrictMode, which throws on a missing property).
    function Get-Path($Object, [string] $Path) {
        $current = $Object
        foreach ($name in $Path -split '\.') {
            if ($null -eq $current -or $current.PSObject.Properties.Name -notcontains $name) { return $null }
            $current = $current.$name
        }
        $current
    }

    # Watch output → events (lines with operationType) and tokens ({"resumeToken": …} lines).
    function Split-WatchOutput($Result) {
        $parsed = @($Result.Lines | ForEach-Object { ConvertFrom-EventLine $_ })
        [pscustomobject]@{
            Events = @($parsed | Where-Object { $_.PSObject.Properties.Name -contains 'operationType' })
            Tokens = @($parsed | Where-Object { $_.PSObject.Properties.Name -contains 'resumeToken' } | ForEach-Object resumeToken)
        }
    }


    # Applies writes (one JSON op per line, see `client apply`) in one driver process.
    function Invoke-Writes([string] $Uri, [string] $Db, [string] $Collection, [string[]] $Ops) {
        $file = Join-Path ([IO.Path]::GetTempPath()) ("cs_" + [guid]::NewGuid().ToString('N') + '.jsonl')
        [IO.File]::WriteAllText($file, ($Ops -join "`n"))
        try {
            $result = Invoke-DotnetClient $Uri @('apply', '--db', $Db, '--collection', $Collection, '--file', $file)
            if ($result.ExitCode -ne 0) { throw "apply failed ($($result.ExitCode)): $($result.Lines) $($result.Stderr)" }
            $result
        }
        finally { Remove-Item -LiteralPath $file -Force }
    }

    # A resume point before the next writes: the token of a freshly opened stream (a high-water mark).
    function Get-StartToken([string] $Uri, [string] $Db, [string] $Collection) {
        $arguments = @('watch', '--db', $Db, '--max-events', '0', '--print-tokens')
        if ($Collection) { $arguments += @('--collection', $Collection) }
        $result = Invoke-DotnetClient $Uri $arguments
        if ($result.ExitCode -ne 0) { throw "watch failed: $($result.Lines) $($result.Stderr)" }
        ConvertTo-Json -Compress -InputObject (Split-WatchOutput $result).Tokens[0]
    }

    function ConvertTo-TokenJson($Token) { ConvertTo-Json -Compress -InputObject $Token }

    # Runs a raw command (RunCommand) and returns the parsed reply, or throws with the error line.
    function Invoke-RawCommand([string] $Uri, [string] $Db, [string] $Json) {
        $result = Invoke-DotnetClient $Uri @('command', '--db', $Db, '--json', $Json)
        if ($result.ExitCode -ne 0) { throw "command failed: $($result.Lines) $($result.Stderr)" }
        ConvertFrom-EventLine $result.Lines[0]
    }



    $script:Rs = Start-PrivateMongoWire @('--replica-set', 'rs0')
    $script:RsHost = "127.0.0.1:$($script:Rs.Port)"
    $script:RsUri = "mongodb://$($script:RsHost)/?replicaSet=rs0"
    # Five entries of history: a few writes make older resume points fall off.
    $script:Small = Start-PrivateMongoWire @('--replica-set', 'rs0', '--oplog-size', '5')
    $script:SmallUri = "mongodb://127.0.0.1:$($script:Small.Port)/?replicaSet=rs0"
}

AfterAll {
    Stop-PrivateMongoWire $script:Rs
    Stop-PrivateMongoWire $script:Small
}

Describe 'MongoWire replica-set mode: what drivers see' -Tag Integration {
    It 'reports a writable primary of rs0 in hello, with cluster time' {
        $hello = Invoke-RawCommand "mongodb://$($script:RsHost)/?directConnection=true" 'admin' '{"hello": 1}'

        $hello.setName | Should -Be 'rs0'
        $hello.hosts | Should -Be @($script:RsHost)
        $hello.primary | Should -Be $script:RsHost
        $hello.me | Should -Be $script:RsHost
        $hello.isWritablePrimary | Should -BeTrue
        $hello.secondary | Should -BeFalse
        $hello.setVersion | Should -Be 1
        $hello.electionId.'$oid' | Should -Match '^7fffffff[0-9a-f]{16}$'
        $hello.'$clusterTime'.clusterTime.'$timestamp'.t | Should -BeGreaterThan 0
        $hello.operationTime.'$timestamp'.t | Should -BeGreaterThan 0
        $hello.lastWrite.opTime.ts.'$timestamp'.t | Should -BeGreaterThan 0
    }

    It 'is usable by MongoDB.Driver with <Case>' -ForEach @(
        @{ Case = 'replicaSet=rs0'; Query = '?replicaSet=rs0' }
        @{ Case = 'directConnection=true'; Query = '?directConnection=true' }
        @{ Case = 'no topology option (discovery)'; Query = '' }
    ) {
        $result = Invoke-DotnetClient "mongodb://$($script:RsHost)/$Query" @('command', '--db', 'admin', '--json', '{"ping": 1}')
        $result.ExitCode | Should -Be 0 -Because $result.Stderr
    }

    It 'is refused by MongoDB.Driver when the URI names another replica set' {
        # The driver checks setName: a wrong name must leave no usable server (this guards that hello reports it).
        $result = Invoke-DotnetClient "mongodb://$($script:RsHost)/?replicaSet=other&serverSelectionTimeoutMS=1500" @('command', '--db', 'admin', '--json', '{"ping": 1}')
        $result.ExitCode | Should -Be 1
        $result.Stderr | Should -Match 'TimeoutException'
        $result.Stderr | Should -Match 'ReplicaSet'
    }

    It 'keeps the standalone handshake unchanged: no set name, no cluster time' {
        $hello = Invoke-RawCommand $script:StandaloneUri 'admin' '{"hello": 1}'
        $names = $hello.PSObject.Properties.Name
        $names | Should -Not -Contain 'setName'
        $names | Should -Not -Contain 'hosts'
        $names | Should -Not -Contain '$clusterTime'
        $names | Should -Not -Contain 'operationTime'
        $hello.isWritablePrimary | Should -BeTrue
    }

    It 'answers $changeStream on a standalone server with 40573, through <Client>' -ForEach @(
        @{ Client = 'MongoDB.Driver' }
        @{ Client = 'the npm mongodb driver' }
    ) {
        $arguments = @('--db', (New-TestDatabaseName -Prefix 'cs_'), '--collection', 'c', '--timeout-ms', '5000')
        $result = if ($Client -eq 'MongoDB.Driver') { Invoke-DotnetClient $script:StandaloneUri (@('watch') + $arguments) } else { Invoke-NodeWatch $script:StandaloneUri $arguments }
        $result.ExitCode | Should -Be 3 -Because $result.Stderr
        $result.Lines | Should -Be 'error 40573 Location40573'
        $result.Stderr | Should -Match 'The \$changeStream stage is only supported on replica sets'
    }
}

Describe 'MongoWire change streams: events' -Tag Integration {
    BeforeAll {
        # One collection sees every operation type; the stream is read once, after all the writes.
        $script:ShapeDb = New-TestDatabaseName -Prefix 'cs_'
        $script:ShapeStart = Get-StartToken $script:RsUri $script:ShapeDb 'products'
        $null = Invoke-Writes $script:RsUri $script:ShapeDb 'products' @(
            '{"op": "insert", "document": {"_id": 1, "nameEn": "Bag", "price": 1000, "tags": ["a"], "dims": {"w": 1, "h": 2}}}'
            '{"op": "update", "id": 1, "update": {"$set": {"price": 1200, "dims.w": 3}, "$push": {"tags": "b"}, "$unset": {"nameEn": ""}}}'
            '{"op": "update", "id": 1, "update": {"$inc": {"price": 5}, "$set": {"dims": {"w": 9}}}}'
            '{"op": "update", "id": 1, "update": {"$set": {"price": 1205}}}'
            '{"op": "replace", "id": 1, "replacement": {"nameFr": "Sac", "price": 1}}'
            '{"op": "update", "id": 2, "update": {"$set": {"x": 1}, "$setOnInsert": {"created": true}}, "upsert": true}'
            '{"op": "delete", "id": 1}'
            '{"op": "drop"}'
        )
        $script:ShapeWatch = Invoke-DotnetClient $script:RsUri @('watch', '--db', $script:ShapeDb, '--collection', 'products',
            '--resume-after', $script:ShapeStart, '--timeout-ms', '30000')
        $script:ShapeEvents = (Split-WatchOutput $script:ShapeWatch).Events
    }

    It 'reports insert, update, update, replace, insert (upsert), delete, drop, invalidate, and ends' {
        $script:ShapeWatch.ExitCode | Should -Be 0 -Because $script:ShapeWatch.Stderr
        # The no-op update ($set to the value already there) writes nothing to the oplog: no event.
        ($script:ShapeEvents.operationType -join ',') | Should -Be 'insert,update,update,replace,insert,delete,drop,invalidate'
        $script:ShapeWatch.Seconds | Should -BeLessThan 30 -Because 'the invalidate closes the cursor, so Watch() ends before the timeout'
    }

    It 'orders the fields as mongod does' {
        $fields = @{}
        foreach ($change in $script:ShapeEvents) { $fields[$change.operationType] = $change.PSObject.Properties.Name -join ',' }
        $fields['insert'] | Should -Be '_id,operationType,clusterTime,wallTime,fullDocument,ns,documentKey'
        $fields['update'] | Should -Be '_id,operationType,clusterTime,wallTime,ns,documentKey,updateDescription'
        $fields['replace'] | Should -Be '_id,operationType,clusterTime,wallTime,fullDocument,ns,documentKey'
        $fields['delete'] | Should -Be '_id,operationType,clusterTime,wallTime,ns,documentKey'
        $fields['drop'] | Should -Be '_id,operationType,clusterTime,wallTime,ns'
        $fields['invalidate'] | Should -Be '_id,operationType,clusterTime,wallTime'
    }

    It 'gives each event a resume token {_data: hex}, increasing, and an increasing cluster time' {
        $tokens = $script:ShapeEvents | ForEach-Object { $_._id._data }
        $tokens | ForEach-Object { $_ | Should -Match '^82[0-9A-F]+$' }
        for ($i = 1; $i -lt $tokens.Count; $i++) {
            [string]::CompareOrdinal($tokens[$i], $tokens[$i - 1]) | Should -BeGreaterThan 0
        }
        $times = $script:ShapeEvents | ForEach-Object { [decimal]$_.clusterTime.'$timestamp'.t * 4294967296 + $_.clusterTime.'$timestamp'.i }
        for ($i = 1; $i -lt 7; $i++) { $times[$i] | Should -BeGreaterThan $times[$i - 1] }
        $times[7] | Should -Be $times[6] -Because 'the invalidate carries the time of the drop that caused it'
        $script:ShapeEvents | ForEach-Object { $_.wallTime.'$date' | Should -Match '^\d{4}-\d\d-\d\dT' }
    }

    It 'puts the document, namespace and key on an insert' {
        $insert = $script:ShapeEvents[0]
        $insert.fullDocument | ConvertTo-Json -Compress | Should -Be '{"_id":1,"nameEn":"Bag","price":1000,"tags":["a"],"dims":{"w":1,"h":2}}'
        $insert.ns.db | Should -Be $script:ShapeDb
        $insert.ns.coll | Should -Be 'products'
        $insert.documentKey | ConvertTo-Json -Compress | Should -Be '{"_id":1}'
    }

    It 'describes an operator update: dotted paths, appended array elements, removed fields' {
        $description = $script:ShapeEvents[1].updateDescription
        $description.updatedFields | ConvertTo-Json -Compress | Should -Be '{"price":1200,"tags.1":"b","dims.w":3}'
        @($description.removedFields) | Should -Be @('nameEn')
        @($description.truncatedArrays).Count | Should -Be 0
        $script:ShapeEvents[1].PSObject.Properties.Name | Should -Not -Contain 'fullDocument' -Because 'fullDocument defaults to off for updates'
    }

    It 'reports a field the update replaced whole, not diffed inside' {
        $script:ShapeEvents[2].updateDescription.updatedFields | ConvertTo-Json -Compress | Should -Be '{"price":1205,"dims":{"w":9}}'
    }

    It 'gives a replace the new document (with the _id kept) and an upsert an insert event' {
        $script:ShapeEvents[3].fullDocument | ConvertTo-Json -Compress | Should -Be '{"_id":1,"nameFr":"Sac","price":1}'
        $script:ShapeEvents[4].fullDocument | ConvertTo-Json -Compress | Should -Be '{"_id":2,"x":1,"created":true}'
        $script:ShapeEvents[4].documentKey._id | Should -Be 2
    }

    It 'keys a delete by _id and names the dropped collection' {
        $script:ShapeEvents[5].documentKey | ConvertTo-Json -Compress | Should -Be '{"_id":1}'
        $script:ShapeEvents[6].ns | ConvertTo-Json -Compress | Should -Be "{`"db`":`"$($script:ShapeDb)`",`"coll`":`"products`"}"
    }

    It 'closes the cursor with the batch that carries the invalidate (cursor id 0)' {
        $json = '{"aggregate": "products", "pipeline": [{"$changeStream": {"resumeAfter": ' + $script:ShapeStart + '}}], "cursor": {"batchSize": 7}}'
        $open = Invoke-RawCommand $script:RsUri $script:ShapeDb $json
        @($open.cursor.firstBatch).Count | Should -Be 7 -Because 'the batch stops at the drop'
        $open.cursor.id | Should -Not -Be 0
        $getMore = '{"getMore": {"$numberLong": "' + $open.cursor.id + '"}, "collection": "products", "maxTimeMS": 100}'
        $last = Invoke-RawCommand $script:RsUri $script:ShapeDb $getMore
        @($last.cursor.nextBatch).operationType | Should -Be @('invalidate')
        $last.cursor.id | Should -Be 0
        $last.cursor.postBatchResumeToken._data | Should -Be $last.cursor.nextBatch[0]._id._data
    }

    It 'refuses resumeAfter an invalidate token (260) but starts a new stream with startAfter it' {
        $invalidate = ConvertTo-TokenJson $script:ShapeEvents[7]._id
        $resume = Invoke-DotnetClient $script:RsUri @('watch', '--db', $script:ShapeDb, '--collection', 'products', '--resume-after', $invalidate, '--timeout-ms', '5000')
        $resume.ExitCode | Should -Be 3
        $resume.Lines | Should -Be 'error 260 InvalidResumeToken'

        $null = Invoke-Writes $script:RsUri $script:ShapeDb 'products' @('{"op": "insert", "document": {"_id": "again"}}')
        $after = Invoke-DotnetClient $script:RsUri @('watch', '--db', $script:ShapeDb, '--collection', 'products', '--start-after', $invalidate, '--max-events', '1', '--timeout-ms', '20000')
        $after.ExitCode | Should -Be 0 -Because $after.Stderr
        $events = (Split-WatchOutput $after).Events
        $events.Count | Should -Be 1
        $events[0].operationType | Should -Be 'insert'
        $events[0].documentKey._id | Should -Be 'again'
    }

    It 'ends a database stream at dropDatabase: a drop per collection, dropDatabase, invalidate' {
        $db = New-TestDatabaseName -Prefix 'cs_'
        $start = Get-StartToken $script:RsUri $db
        $null = Invoke-Writes $script:RsUri $db 'a' @('{"op": "insert", "document": {"_id": 1}}', '{"op": "insert", "collection": "b", "document": {"_id": 1}}')
        $null = Invoke-RawCommand $script:RsUri $db '{"dropDatabase": 1}'
        $watch = Invoke-DotnetClient $script:RsUri @('watch', '--db', $db, '--resume-after', $start, '--timeout-ms', '30000')
        $watch.ExitCode | Should -Be 0 -Because $watch.Stderr
        $events = (Split-WatchOutput $watch).Events
        ($events | ForEach-Object { "$($_.operationType):$(Get-Path $_ 'ns.coll')" }) -join ',' | Should -Be 'insert:a,insert:b,drop:a,drop:b,dropDatabase:,invalidate:'
        $watch.Seconds | Should -BeLessThan 30 -Because 'the invalidate closes the cursor, so Watch() ends before the timeout'
        $events[4].ns | ConvertTo-Json -Compress | Should -Be "{`"db`":`"$db`"}"
    }
}

Describe 'MongoWire change streams: scopes' -Tag Integration {
    It 'watches every database with allChangesForCluster (Watch() on the client)' {
        $dbA = New-TestDatabaseName -Prefix 'cs_'
        $dbB = New-TestDatabaseName -Prefix 'cs_'
        $opened = Invoke-DotnetClient $script:RsUri @('watch', '--cluster', '--max-events', '0', '--print-tokens')
        $opened.ExitCode | Should -Be 0 -Because $opened.Stderr
        $start = ConvertTo-TokenJson (Split-WatchOutput $opened).Tokens[0]
        $null = Invoke-Writes $script:RsUri $dbA 'x' @('{"op": "insert", "document": {"_id": 1}}', ('{"op": "insert", "db": "' + $dbB + '", "collection": "y", "document": {"_id": 2}}'))
        $pipeline = '[{"$match": {"ns.db": {"$in": ["' + $dbA + '", "' + $dbB + '"]}}}]'
        $watch = Invoke-DotnetClient $script:RsUri @('watch', '--cluster', '--resume-after', $start, '--pipeline', $pipeline, '--max-events', '2', '--timeout-ms', '30000')
        $watch.ExitCode | Should -Be 0 -Because $watch.Stderr
        ((Split-WatchOutput $watch).Events | ForEach-Object { "$($_.ns.db).$($_.ns.coll)" }) -join ',' | Should -Be "$dbA.x,$dbB.y"
    }

    It 'refuses allChangesForCluster outside admin (72) and a plain stream on admin (73), like mongod' {
        $outside = Invoke-DotnetClient $script:RsUri @('command', '--db', (New-TestDatabaseName -Prefix 'cs_'), '--json', '{"aggregate": 1, "pipeline": [{"$changeStream": {"allChangesForCluster": true}}], "cursor": {}}')
        $outside.Lines | Should -Be 'error 72 InvalidOptions'
        $admin = Invoke-DotnetClient $script:RsUri @('command', '--db', 'admin', '--json', '{"aggregate": 1, "pipeline": [{"$changeStream": {}}], "cursor": {}}')
        $admin.Lines | Should -Be 'error 73 InvalidNamespace'
    }
}

Describe 'MongoWire change streams: fullDocument' -Tag Integration {
    It 'updateLookup returns the document as it is when the event is read (null once deleted)' {
        $db = New-TestDatabaseName -Prefix 'cs_'
        $start = Get-StartToken $script:RsUri $db 'c'
        $null = Invoke-Writes $script:RsUri $db 'c' @(
            '{"op": "insert", "document": {"_id": "kept", "stock": 1}}'
            '{"op": "update", "id": "kept", "update": {"$inc": {"stock": 1}}}'
            '{"op": "update", "id": "kept", "update": {"$inc": {"stock": 1}}}'
            '{"op": "insert", "document": {"_id": "gone", "stock": 1}}'
            '{"op": "update", "id": "gone", "update": {"$inc": {"stock": 1}}}'
            '{"op": "delete", "id": "gone"}'
        )
        $watch = Invoke-DotnetClient $script:RsUri @('watch', '--db', $db, '--collection', 'c', '--resume-after', $start, '--full-document', 'updateLookup', '--max-events', '6', '--timeout-ms', '30000')
        $watch.ExitCode | Should -Be 0 -Because $watch.Stderr
        $updates = @((Split-WatchOutput $watch).Events | Where-Object operationType -EQ 'update')
        $updates.Count | Should -Be 3
        # Both updates of "kept" show its current state (stock 3), not the state after each update.
        $updates[0].fullDocument.stock | Should -Be 3
        $updates[1].fullDocument.stock | Should -Be 3
        $updates[2].PSObject.Properties.Name | Should -Contain 'fullDocument'
        $updates[2].fullDocument | Should -BeNullOrEmpty
    }

    It 'whenAvailable returns each update''s post-image where changeStreamPreAndPostImages is on, else null' {
        $db = New-TestDatabaseName -Prefix 'cs_'
        $null = Invoke-RawCommand $script:RsUri $db '{"create": "imaged", "changeStreamPreAndPostImages": {"enabled": true}}'
        $start = Get-StartToken $script:RsUri $db
        $null = Invoke-Writes $script:RsUri $db 'imaged' @(
            '{"op": "insert", "document": {"_id": 1, "stock": 1}}'
            '{"op": "update", "id": 1, "update": {"$inc": {"stock": 1}}}'
            '{"op": "update", "id": 1, "update": {"$inc": {"stock": 1}}}'
            '{"op": "insert", "collection": "plain", "document": {"_id": 1, "stock": 1}}'
            '{"op": "update", "collection": "plain", "id": 1, "update": {"$inc": {"stock": 1}}}'
        )
        $watch = Invoke-DotnetClient $script:RsUri @('watch', '--db', $db, '--resume-after', $start, '--full-document', 'whenAvailable', '--max-events', '5', '--timeout-ms', '30000')
        $watch.ExitCode | Should -Be 0 -Because $watch.Stderr
        $updates = @((Split-WatchOutput $watch).Events | Where-Object operationType -EQ 'update')
        ($updates | ForEach-Object { "$($_.ns.coll):$(Get-Path $_ 'fullDocument.stock')" }) -join ',' | Should -Be 'imaged:2,imaged:3,plain:'
    }

    It 'required fails with 47 NoMatchingDocument on an update without a post-image' {
        $db = New-TestDatabaseName -Prefix 'cs_'
        $start = Get-StartToken $script:RsUri $db 'plain'
        $null = Invoke-Writes $script:RsUri $db 'plain' @(
            '{"op": "insert", "document": {"_id": 1, "stock": 1}}'
            '{"op": "update", "id": 1, "update": {"$inc": {"stock": 1}}}'
        )
        $watch = Invoke-DotnetClient $script:RsUri @('watch', '--db', $db, '--collection', 'plain', '--resume-after', $start, '--full-document', 'required', '--timeout-ms', '20000')
        $watch.ExitCode | Should -Be 3
        $watch.Lines | Should -Contain 'error 47 NoMatchingDocument'
    }
}

Describe 'MongoWire change streams: resuming' -Tag Integration {
    BeforeAll {
        $script:ResumeDb = New-TestDatabaseName -Prefix 'cs_'
        $script:ResumeStart = Get-StartToken $script:RsUri $script:ResumeDb 'orders'
        $null = Invoke-Writes $script:RsUri $script:ResumeDb 'orders' @(1..10 | ForEach-Object { "{`"op`": `"insert`", `"document`": {`"_id`": $_}}" })
        $script:ResumeAll = (Split-WatchOutput (Invoke-DotnetClient $script:RsUri @('watch', '--db', $script:ResumeDb, '--collection', 'orders',
                        '--resume-after', $script:ResumeStart, '--max-events', '10', '--timeout-ms', '30000'))).Events
    }

    It 'reads the ten inserts from the start token' {
        ($script:ResumeAll.documentKey._id -join ',') | Should -Be ((1..10) -join ',')
    }

    It 'resumes after an event''s token with no event lost and none repeated (<Client>)' -ForEach @(
        @{ Client = 'MongoDB.Driver' }
        @{ Client = 'the npm mongodb driver' }
    ) {
        # First reader stops after 4 events (batches of 3, so the stop falls inside a batch).
        $first = Invoke-DotnetClient $script:RsUri @('watch', '--db', $script:ResumeDb, '--collection', 'orders',
            '--resume-after', $script:ResumeStart, '--batch-size', '3', '--max-events', '4', '--timeout-ms', '30000')
        $firstEvents = (Split-WatchOutput $first).Events
        $firstEvents.Count | Should -Be 4
        $token = ConvertTo-TokenJson $firstEvents[3]._id

        $arguments = @('--db', $script:ResumeDb, '--collection', 'orders', '--resume-after', $token, '--max-events', '6', '--timeout-ms', '30000')
        $rest = if ($Client -eq 'MongoDB.Driver') { Invoke-DotnetClient $script:RsUri (@('watch') + $arguments) } else { Invoke-NodeWatch $script:RsUri $arguments }
        $rest.ExitCode | Should -Be 0 -Because $rest.Stderr
        $restEvents = (Split-WatchOutput $rest).Events
        (@($firstEvents) + @($restEvents) | ForEach-Object { $_.documentKey._id }) -join ',' | Should -Be ((1..10) -join ',')
        ($restEvents | ForEach-Object { $_._id._data }) -join ',' | Should -Be (($script:ResumeAll[4..9] | ForEach-Object { $_._id._data }) -join ',')
    }

    It 'starts at an operation time, inclusive (<Client>)' -ForEach @(
        @{ Client = 'MongoDB.Driver' }
        @{ Client = 'the npm mongodb driver' }
    ) {
        $time = $script:ResumeAll[6].clusterTime.'$timestamp'
        $arguments = @('--db', $script:ResumeDb, '--collection', 'orders', '--start-at-operation-time', "$($time.t):$($time.i)", '--max-events', '4', '--timeout-ms', '5000')
        $result = if ($Client -eq 'MongoDB.Driver') { Invoke-DotnetClient $script:RsUri (@('watch') + $arguments) } else { Invoke-NodeWatch $script:RsUri $arguments }
        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        ((Split-WatchOutput $result).Events.documentKey._id -join ',') | Should -Be '7,8,9,10'
    }

    It 'moves postBatchResumeToken on over writes elsewhere, so an empty batch still advances the resume point' {
        $db = New-TestDatabaseName -Prefix 'cs_'
        $open = Invoke-RawCommand $script:RsUri $db '{"aggregate": "watched", "pipeline": [{"$changeStream": {}}], "cursor": {}}'
        $cursorId = $open.cursor.id
        @($open.cursor.firstBatch).Count | Should -Be 0
        $token0 = $open.cursor.postBatchResumeToken._data

        $null = Invoke-Writes $script:RsUri $db 'other' @('{"op": "insert", "document": {"_id": 1}}', '{"op": "insert", "document": {"_id": 2}}')
        $getMore = '{"getMore": {"$numberLong": "' + $cursorId + '"}, "collection": "watched", "maxTimeMS": 200}'
        $empty = Invoke-RawCommand $script:RsUri $db $getMore
        @($empty.cursor.nextBatch).Count | Should -Be 0
        $empty.cursor.id | Should -Be $cursorId
        $token1 = $empty.cursor.postBatchResumeToken._data
        [string]::CompareOrdinal($token1, $token0) | Should -BeGreaterThan 0

        $null = Invoke-Writes $script:RsUri $db 'watched' @('{"op": "insert", "document": {"_id": "w"}}')
        $withEvent = Invoke-RawCommand $script:RsUri $db $getMore
        @($withEvent.cursor.nextBatch).Count | Should -Be 1
        $withEvent.cursor.postBatchResumeToken._data | Should -Be $withEvent.cursor.nextBatch[0]._id._data

        # Resuming from the empty batch's token yields exactly the later event.
        $resumed = Invoke-DotnetClient $script:RsUri @('watch', '--db', $db, '--collection', 'watched', '--resume-after', "{`"_data`": `"$token1`"}",
            '--max-events', '1', '--timeout-ms', '20000')
        (Split-WatchOutput $resumed).Events.documentKey._id | Should -Be 'w'
    }

    It 'reports the advanced token through Watch() when only other collections change' {
        $db = New-TestDatabaseName -Prefix 'cs_'
        $start = Get-StartToken $script:RsUri $db 'quiet'
        $null = Invoke-Writes $script:RsUri $db 'busy' @('{"op": "insert", "document": {"_id": 1}}')
        $watch = Invoke-DotnetClient $script:RsUri @('watch', '--db', $db, '--collection', 'quiet', '--resume-after', $start,
            '--print-tokens', '--max-await-ms', '300', '--timeout-ms', '2500')
        $watch.ExitCode | Should -Be 0 -Because $watch.Stderr
        $split = Split-WatchOutput $watch
        $split.Events.Count | Should -Be 0
        $last = $split.Tokens[-1]._data
        [string]::CompareOrdinal($last, ($start | ConvertFrom-Json)._data) | Should -BeGreaterThan 0
    }
}

Describe 'MongoWire change streams: history lost with a small oplog (--oplog-size 5)' -Tag Integration {
    BeforeAll {
        $script:LostDb = New-TestDatabaseName -Prefix 'cs_'
        $first = Invoke-Writes $script:SmallUri $script:LostDb 'c' @('{"op": "insert", "document": {"_id": 0}}')
        $script:LostStart = Get-StartToken $script:SmallUri $script:LostDb 'c'
        $script:EarlyTime = (Invoke-RawCommand $script:SmallUri 'admin' '{"ping": 1}').operationTime.'$timestamp'
        # Ten more writes push the start point out of a five-entry oplog.
        $null = Invoke-Writes $script:SmallUri $script:LostDb 'c' @(1..10 | ForEach-Object { "{`"op`": `"insert`", `"document`": {`"_id`": $_}}" })
    }

    It 'fails a resume token that fell off the oplog with 286 ChangeStreamHistoryLost (<Client>)' -ForEach @(
        @{ Client = 'MongoDB.Driver' }
        @{ Client = 'the npm mongodb driver' }
    ) {
        $arguments = @('--db', $script:LostDb, '--collection', 'c', '--resume-after', $script:LostStart, '--timeout-ms', '5000')
        $result = if ($Client -eq 'MongoDB.Driver') { Invoke-DotnetClient $script:SmallUri (@('watch') + $arguments) } else { Invoke-NodeWatch $script:SmallUri $arguments }
        $result.ExitCode | Should -Be 3
        $result.Lines | Should -Be 'error 286 ChangeStreamHistoryLost'
        $result.Stderr | Should -Match 'Resume of change stream was not possible, as the resume point may no longer be in the oplog'
    }

    It 'fails a startAtOperationTime older than the oldest entry with 286' {
        $result = Invoke-DotnetClient $script:SmallUri @('watch', '--db', $script:LostDb, '--collection', 'c',
            '--start-at-operation-time', "$($script:EarlyTime.t):$($script:EarlyTime.i)", '--timeout-ms', '5000')
        $result.ExitCode | Should -Be 3
        $result.Lines | Should -Be 'error 286 ChangeStreamHistoryLost'
    }

    It 'still resumes from a token the oplog holds' {
        $all = Invoke-DotnetClient $script:SmallUri @('watch', '--db', $script:LostDb, '--collection', 'c', '--start-at-operation-time', '0:0', '--timeout-ms', '5000')
        $all.Lines | Should -Be 'error 286 ChangeStreamHistoryLost' -Because 'the very beginning is gone too'

        $recent = Invoke-RawCommand $script:SmallUri 'admin' '{"ping": 1}'
        $time = $recent.operationTime.'$timestamp'
        $result = Invoke-DotnetClient $script:SmallUri @('watch', '--db', $script:LostDb, '--collection', 'c', '--start-at-operation-time', "$($time.t):$($time.i)", '--max-events', '1', '--timeout-ms', '20000')
        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        (Split-WatchOutput $result).Events.documentKey._id | Should -Be 10
    }

    It 'fails the getMore of a cursor the oplog overtook with 286, and closes it' {
        $db = New-TestDatabaseName -Prefix 'cs_'
        $open = Invoke-RawCommand $script:SmallUri $db '{"aggregate": "c", "pipeline": [{"$changeStream": {}}], "cursor": {}}'
        $null = Invoke-Writes $script:SmallUri $db 'c' @(1..7 | ForEach-Object { "{`"op`": `"insert`", `"document`": {`"_id`": $_}}" })
        $getMore = '{"getMore": {"$numberLong": "' + $open.cursor.id + '"}, "collection": "c", "maxTimeMS": 100}'
        $lost = Invoke-DotnetClient $script:SmallUri @('command', '--db', $db, '--json', $getMore)
        $lost.ExitCode | Should -Be 3
        $lost.Lines | Should -Be 'error 286 ChangeStreamHistoryLost'
        (Invoke-DotnetClient $script:SmallUri @('command', '--db', $db, '--json', $getMore)).Lines | Should -Be 'error 43 CursorNotFound'
    }
}

Describe 'MongoWire change streams: awaitData getMore' -Tag Integration {
    It 'waits about maxTimeMS for events, then returns an empty nextBatch with the cursor still open' {
        $db = New-TestDatabaseName -Prefix 'cs_'
        $open = Invoke-RawCommand $script:RsUri $db '{"aggregate": "c", "pipeline": [{"$changeStream": {}}], "cursor": {}}'
        $getMore = '{"getMore": {"$numberLong": "' + $open.cursor.id + '"}, "collection": "c", "maxTimeMS": 2500}'
        $result = Invoke-DotnetClient $script:RsUri @('command', '--db', $db, '--json', $getMore)
        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        $reply = ConvertFrom-EventLine $result.Lines[0]
        @($reply.cursor.nextBatch).Count | Should -Be 0
        $reply.cursor.id | Should -Be $open.cursor.id
        $reply.cursor.postBatchResumeToken._data | Should -Match '^82'
        # Loose: the wall time includes starting the client process.
        $result.Seconds | Should -BeGreaterOrEqual 2.4
    }

    It 'wakes a waiting getMore as soon as a write arrives, and serves other clients meanwhile' {
        $db = New-TestDatabaseName -Prefix 'cs_'
        $open = Invoke-RawCommand $script:RsUri $db '{"aggregate": "c", "pipeline": [{"$changeStream": {}}], "cursor": {}}'
        $getMore = '{"getMore": {"$numberLong": "' + $open.cursor.id + '"}, "collection": "c", "maxTimeMS": 60000}'
        $waiting = Start-Client -FileName 'dotnet' -Arguments @($script:Dll, 'client', '--uri', $script:RsUri, 'command', '--db', $db, '--json', $getMore)
        Start-Sleep -Seconds 3
        $waiting.Process.HasExited | Should -BeFalse -Because 'nothing was written yet'

        # Another connection is served while the getMore waits.
        $count = Invoke-DotnetClient $script:RsUri @('count', '--db', $db, '--collection', 'c')
        $count.Lines | Should -Be '0'
        $waiting.Process.HasExited | Should -BeFalse

        $null = Invoke-Writes $script:RsUri $db 'c' @('{"op": "insert", "document": {"_id": "wake"}}')
        $result = Wait-Client $waiting -TimeoutSeconds 50
        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        (ConvertFrom-EventLine $result.Lines[0]).cursor.nextBatch[0].documentKey._id | Should -Be 'wake'
        $result.Seconds | Should -BeLessThan 50 -Because 'the write, not maxTimeMS (60 s), ended the wait'
    }

    It 'delivers events to a live Watch() as they are written (<Client>)' -ForEach @(
        @{ Client = 'MongoDB.Driver' }
        @{ Client = 'the npm mongodb driver' }
    ) {
        $db = New-TestDatabaseName -Prefix 'cs_'
        $arguments = @('--uri', $script:RsUri, '--db', $db, '--collection', 'live', '--max-events', '3', '--timeout-ms', '60000', '--max-await-ms', '500')
        $watcher = if ($Client -eq 'MongoDB.Driver') {
            Start-Client -FileName 'dotnet' -Arguments (@($script:Dll, 'client', 'watch') + $arguments)
        }
        else {
            Start-Client -FileName 'node' -Arguments (@($script:NodeWatch) + $arguments)
        }
        Wait-Watching $watcher
        $null = Invoke-Writes $script:RsUri $db 'live' @(
            '{"op": "insert", "document": {"_id": 1, "price": 10}}'
            '{"op": "update", "id": 1, "update": {"$set": {"price": 12}}}'
            '{"op": "delete", "id": 1}'
        )
        $result = Wait-Client $watcher -TimeoutSeconds 60
        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        ((Split-WatchOutput $result).Events.operationType -join ',') | Should -Be 'insert,update,delete'
    }
}

Describe 'MongoWire change streams: pipeline after $changeStream' -Tag Integration {
    BeforeAll {
        $script:MatchDb = New-TestDatabaseName -Prefix 'cs_'
        $script:MatchStart = Get-StartToken $script:RsUri $script:MatchDb
        $null = Invoke-Writes $script:RsUri $script:MatchDb 'orders' @(
            '{"op": "insert", "document": {"_id": 1}}'
            '{"op": "insert", "collection": "users", "document": {"_id": 1}}'
            '{"op": "update", "id": 1, "update": {"$set": {"status": "paid"}}}'
            '{"op": "insert", "document": {"_id": 2}}'
            '{"op": "delete", "id": 1}'
            '{"op": "delete", "collection": "users", "id": 1}'
        )
    }

    It 'filters with $match on <Case>' -ForEach @(
        @{ Case = 'operationType and ns'; Match = '{"operationType": {"$in": ["insert", "delete"]}, "ns.coll": "orders"}'; Expected = 'insert:orders:1,insert:orders:2,delete:orders:1'; Count = 3 }
        @{ Case = 'ns (another collection)'; Match = '{"ns": {"db": "<db>", "coll": "users"}}'; Expected = 'insert:users:1,delete:users:1'; Count = 2 }
        @{ Case = 'documentKey._id'; Match = '{"documentKey._id": 2}'; Expected = 'insert:orders:2'; Count = 1 }
    ) {
        $pipeline = '[{"$match": ' + ($Match -replace '<db>', $script:MatchDb) + '}]'
        $watch = Invoke-DotnetClient $script:RsUri @('watch', '--db', $script:MatchDb, '--resume-after', $script:MatchStart, '--pipeline', $pipeline,
            '--max-events', "$Count", '--timeout-ms', '30000')
        $watch.ExitCode | Should -Be 0 -Because $watch.Stderr
        ((Split-WatchOutput $watch).Events | ForEach-Object { "$($_.operationType):$($_.ns.coll):$($_.documentKey._id)" }) -join ',' | Should -Be $Expected
    }

    It 'applies the same $match for the npm driver' {
        $pipeline = '[{"$match": {"operationType": "update"}}]'
        $watch = Invoke-NodeWatch $script:RsUri @('--db', $script:MatchDb, '--resume-after', $script:MatchStart, '--pipeline', $pipeline, '--max-events', '1', '--timeout-ms', '30000')
        $watch.ExitCode | Should -Be 0 -Because $watch.Stderr
        $events = (Split-WatchOutput $watch).Events
        $events.Count | Should -Be 1
        $events[0].updateDescription.updatedFields.status | Should -Be 'paid'
    }

    It 'rejects <Case> like mongod' -ForEach @(
        @{ Case = 'a stage mongod does not allow'; Pipeline = '[{"$changeStream": {}}, {"$sort": {"_id": 1}}]'; Error = 'error 20 IllegalOperation' }
        @{ Case = '$changeStream not first'; Pipeline = '[{"$match": {}}, {"$changeStream": {}}]'; Error = 'error 40602 Location40602' }
        @{ Case = 'an unknown $changeStream option'; Pipeline = '[{"$changeStream": {"bogus": 1}}]'; Error = 'error 40415 Location40415' }
        @{ Case = 'resumeAfter with startAtOperationTime'; Pipeline = '[{"$changeStream": {"resumeAfter": {"_data": "826B0EE1C30000000180"}, "startAtOperationTime": {"$timestamp": {"t": 1, "i": 1}}}}]'; Error = 'error 40674 Location40674' }
        @{ Case = 'a resume token it did not issue'; Pipeline = '[{"$changeStream": {"resumeAfter": {"_data": "nonsense"}}}]'; Error = 'error 9 FailedToParse' }
    ) {
        $json = '{"aggregate": "c", "pipeline": ' + $Pipeline + ', "cursor": {}}'
        $result = Invoke-DotnetClient $script:RsUri @('command', '--db', $script:MatchDb, '--json', $json)
        $result.ExitCode | Should -Be 3
        $result.Lines | Should -Be $Error
    }

    It 'refuses an event whose _id a $project removed (280), since it could not be resumed' {
        $json = '{"aggregate": "orders", "pipeline": [{"$changeStream": {"resumeAfter": ' + $script:MatchStart + '}}, {"$project": {"_id": 0}}], "cursor": {}}'
        $result = Invoke-DotnetClient $script:RsUri @('command', '--db', $script:MatchDb, '--json', $json)
        $result.ExitCode | Should -Be 3
        $result.Lines | Should -Be 'error 280 ChangeStreamFatalError'
    }
}

Describe 'MongoWire change streams: the npm driver sees what MongoDB.Driver sees' -Tag Integration {
    It 'reads the same events, tokens and update descriptions' {
        $db = New-TestDatabaseName -Prefix 'cs_'
        $start = Get-StartToken $script:RsUri $db 'catalog'
        $null = Invoke-Writes $script:RsUri $db 'catalog' @(
            '{"op": "insert", "document": {"_id": {"$oid": "65a1b2c3d4e5f60718293a4b"}, "nameEn": "Bag", "nameFr": "Sac", "price": {"$numberDecimal": "1500.50"}, "at": {"$date": "2024-01-02T03:04:05Z"}}}'
            '{"op": "update", "id": {"$oid": "65a1b2c3d4e5f60718293a4b"}, "update": {"$set": {"nameEn": "Handbag"}, "$push": {"tags": {"$each": ["x", "y"]}}}}'
            '{"op": "replace", "id": {"$oid": "65a1b2c3d4e5f60718293a4b"}, "replacement": {"nameEn": "Tote"}}'
            '{"op": "delete", "id": {"$oid": "65a1b2c3d4e5f60718293a4b"}}'
            '{"op": "drop"}'
        )
        $arguments = @('--db', $db, '--collection', 'catalog', '--resume-after', $start, '--full-document', 'updateLookup', '--timeout-ms', '30000')
        $dotnet = Invoke-DotnetClient $script:RsUri (@('watch') + $arguments)
        $node = Invoke-NodeWatch $script:RsUri $arguments
        $dotnet.ExitCode | Should -Be 0 -Because $dotnet.Stderr
        $node.ExitCode | Should -Be 0 -Because $node.Stderr
        $dotnetEvents = (Split-WatchOutput $dotnet).Events
        $nodeEvents = (Split-WatchOutput $node).Events
        ($nodeEvents.operationType -join ',') | Should -Be 'insert,update,replace,delete,drop,invalidate'
        $nodeEvents.Count | Should -Be $dotnetEvents.Count
        # The two write relaxed Extended JSON dates differently (".890Z" vs ".89Z"): compare them as instants.
        $normalize = {
            param($change)
            (ConvertTo-Json -Depth 10 -Compress $change) -replace '"\$date":"([^"]+)"', {
                '"$date":' + [DateTimeOffset]::Parse($_.Groups[1].Value, [cultureinfo]::InvariantCulture).ToUnixTimeMilliseconds()
            }
        }
        for ($i = 0; $i -lt $nodeEvents.Count; $i++) {
            & $normalize $nodeEvents[$i] | Should -Be (& $normalize $dotnetEvents[$i])
        }
        $nodeEvents[0].fullDocument.price.'$numberDecimal' | Should -Be '1500.50'
        $nodeEvents[1].updateDescription.updatedFields | ConvertTo-Json -Compress | Should -Be '{"nameEn":"Handbag","tags":["x","y"]}'
    }
}
