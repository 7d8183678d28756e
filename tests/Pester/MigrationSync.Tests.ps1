#Requires -Version 7.0
# Sync-EcommerceMigration end to end: a private MongoWire replica set (change streams) → full load + change stream → moto,
# with an application simulator (MongoWire.dll client apply, the real MongoDB.Driver) writing during the full load and after;
# then -Drain and Test-EcommerceMigration -Full. Checked with /usr/bin/aws and the module's own readers.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'MigrationHelpers.psm1') -Force
    Import-EcommerceAws
    $script:Dll = $env:ECOM_MONGOWIRE_DLL
    $script:tables = [System.Collections.Generic.List[string]]::new()
    $script:files = [System.Collections.Generic.List[string]]::new()
    $script:servers = [System.Collections.Generic.List[object]]::new()
    function New-SyncTable { $n = New-TestName 'sync'; $script:tables.Add($n); $null = New-EcommerceTable -TableName $n -Confirm:$false; $n }
    function New-Db { "shop$([guid]::NewGuid().ToString('N').Substring(0, 8))" }

    function Start-ReplicaSet([string[]] $ExtraArguments = @()) {
        $startInfo = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        foreach ($argument in @($script:Dll, 'serve', '--port', '0', '--exit-on-stdin-eof') + $ExtraArguments) { $startInfo.ArgumentList.Add($argument) }
        $startInfo.UseShellExecute = $false
        $startInfo.RedirectStandardOutput = $true
        $startInfo.RedirectStandardInput = $true
        $process = [System.Diagnostics.Process]::Start($startInfo)
        $firstLine = $process.StandardOutput.ReadLineAsync()
        if (-not $firstLine.Wait([TimeSpan]::FromSeconds(30)) -or $firstLine.Result -notmatch '^LISTENING (\d+)$') {
            $process.Kill($true)
            throw "MongoWire server did not report LISTENING (got '$($firstLine.Status)')."
        }
        $server = [pscustomobject]@{ Process = $process; Port = [int]$Matches[1] }
        $script:servers.Add($server)
        $server
    }
    function Get-RsUri($Server, [string] $Db) { "mongodb://127.0.0.1:$($Server.Port)/$Db`?replicaSet=rs0" }
    function Add-SyncDocs([string] $Uri, [string] $Db, [string] $Collection, [string[]] $Lines) {
        $file = Write-Lines $Lines; $script:files.Add($file)
        $null = Invoke-MongoClient --uri $Uri --db $Db --collection $Collection insert --file $file
    }
    function Oid([int] $Seed, [int] $Index) { '{"$oid":"' + (New-ObjectIdText $Seed $Index) + '"}' }
    function New-SyncProduct([int] $Seed, [int] $Index, [string] $Name, [string] $Category, [int] $Price) {
        '{"_id":' + (Oid $Seed $Index) + ',"nameEn":"' + $Name + '","nameFr":"Produit ' + $Index + '","category":"' + $Category + '","price":' + $Price + ',"currency":"XAF","stock":5,"images":[],"active":true,"createdAt":{"$date":"2024-03-01T10:15:30.123Z"}}'
    }

    # The application: a script of mixed writes (MongoWire.dll client apply, one process, paced) on products and users.
    function New-AppScript([int] $ProductSeed, [int] $Products, [int] $UserSeed, [int] $Users, [int] $Round) {
        $ops = [System.Collections.Generic.List[string]]::new()
        for ($i = 0; $i -lt 60; $i++) {
            $p = ($i * 37 + $Round * 11) % $Products
            $ops.Add('{"collection":"products","op":"update","id":' + (Oid $ProductSeed $p) + ',"update":{"$set":{"price":' + (2000 + $i + $Round) + '},"$inc":{"stock":{"$numberLong":"1"}}}}')
            if ($i % 3 -eq 0) {   # rename: category and nameEn move GSI1PK/GSI1SK
                $ops.Add('{"collection":"products","op":"update","id":' + (Oid $ProductSeed (($p + 5) % $Products)) + ',"update":{"$set":{"nameEn":"Renamed ' + $i + '-' + $Round + '","category":"Moved ' + ($i % 4) + '"}}}')
            }
            if ($i % 5 -eq 0) {   # delete, then later the same _id comes back
                $d = ($i * 13 + 3 + $Round * 7) % $Products
                $ops.Add('{"collection":"products","op":"delete","id":' + (Oid $ProductSeed $d) + '}')
                if ($i % 10 -eq 0) { $ops.Add('{"collection":"products","op":"insert","document":' + (New-SyncProduct $ProductSeed $d "Back $d-$Round" 'Beauty' 777) + '}') }
            }
            if ($i % 7 -eq 0) {   # replacement (a whole new document under the same _id)
                $r = ($i * 17 + 1) % $Products
                $ops.Add('{"collection":"products","op":"replace","id":' + (Oid $ProductSeed $r) + ',"replacement":{"nameEn":"Replaced ' + $r + '","nameFr":"Remplace","category":"Home & Kitchen","price":{"$numberDecimal":"1234.50"},"currency":"XAF","stock":1,"images":[],"active":false,"createdAt":{"$date":"2024-05-01T00:00:00.000Z"}}}')
            }
            if ($i % 4 -eq 0) {   # new products
                $ops.Add('{"collection":"products","op":"insert","document":' + (New-SyncProduct ($ProductSeed + 1) ($Round * 1000 + $i) "New $i-$Round" 'Clothing' 500) + '}')
            }
            if ($i % 6 -eq 0) {   # e-mail change: moves EMAIL#
                $u = ($i + $Round * 3) % $Users
                $ops.Add('{"collection":"users","op":"update","id":' + (Oid $UserSeed $u) + ',"update":{"$set":{"email":"moved' + $i + '-' + $Round + '@shop.cm"}}}')
            }
        }
        # A user takes an e-mail another user holds: the later holder is rejected (DuplicateEmail) and its item goes.
        $ops.Add('{"collection":"users","op":"update","id":' + (Oid $UserSeed ($Users - 1)) + ',"update":{"$set":{"email":"USER0@shop.cm "}}}')
        $file = Write-Lines $ops.ToArray(); $script:files.Add($file)
        $file
    }
    function Start-App([string] $Uri, [string] $Db, [string] $Script, [int] $Rate) {
        $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        foreach ($a in @($script:Dll, 'client', '--uri', $Uri, 'apply', '--db', $Db, '--file', $Script, '--rate', "$Rate")) { $info.ArgumentList.Add($a) }
        $info.UseShellExecute = $false
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($info)
        [pscustomobject]@{ Process = $process; Out = $process.StandardOutput.ReadToEndAsync(); Err = $process.StandardError.ReadToEndAsync() }
    }
    function Wait-App($App) {
        if (-not $App.Process.WaitForExit(120000)) { $App.Process.Kill($true); throw 'the application simulator did not finish' }
        $App.Process.WaitForExit()
        if ($App.Process.ExitCode -ne 0) { throw "the application simulator failed ($($App.Process.ExitCode)): $($App.Out.Result) $($App.Err.Result)" }
        $App.Out.Result
    }
    function Wait-Phase([string] $Table, [string] $Entity, [string[]] $Phase, [int] $TimeoutSeconds = 120, $Child) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while ([DateTime]::UtcNow -lt $deadline) {
            $s = Get-StatusItem $Table $Entity
            if ($s -and $s.PSObject.Properties['SyncPhase'] -and $s.SyncPhase.S -in $Phase) { return $s }
            if ($Child -and $Child.HasExited) { throw "the sync process exited (code $($Child.ExitCode)) before phase $Phase`: $(Get-Content $script:childLog -Raw -ErrorAction SilentlyContinue)" }
            Start-Sleep -Milliseconds 200
        }
        throw "phase $Phase not reached in $TimeoutSeconds s"
    }
    function Get-Tombstones([string] $Table) {
        @((Invoke-AwsCli dynamodb scan --table-name $Table --filter-expression 'entityType = :t' --expression-attribute-values '{":t":{"S":"TOMBSTONE"}}').Items)
    }

    # What the background syncs print (errors included), shown when one exits early.
    $script:childLog = Join-Path ([System.IO.Path]::GetTempPath()) "ecom-sync-child-$([guid]::NewGuid().ToString('N')).log"
    $script:files.Add($script:childLog)
    $script:oldLease = $env:ECOM_MIGRATION_LEASE_SECONDS
    $env:ECOM_MIGRATION_LEASE_SECONDS = '5'
    Push-Location ([System.IO.Path]::GetTempPath())
}

AfterAll {
    Pop-Location
    $env:ECOM_MIGRATION_LEASE_SECONDS = $script:oldLease
    foreach ($server in $script:servers) { if (-not $server.Process.HasExited) { $server.Process.Kill($true); $null = $server.Process.WaitForExit(5000) } }
    foreach ($name in $script:tables) { Remove-EcommerceTable -TableName $name -Force -Confirm:$false -ErrorAction SilentlyContinue }
    foreach ($file in $script:files) { Remove-Item $file -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Sync-EcommerceMigration while the application writes' -Tag Integration {
    BeforeAll {
        $rs = Start-ReplicaSet @('--replica-set', 'rs0')
        $table = New-SyncTable
        $db = New-Db
        $uri = Get-RsUri $rs $db
        Add-SyncDocs $uri $db 'products' @(New-ProductLines -Count 3000 -Seed 41)
        Add-SyncDocs $uri $db 'users' @(New-UserLines -Count 200 -Seed 42)
        $appScript = New-AppScript -ProductSeed 41 -Products 3000 -UserSeed 42 -Users 200 -Round 1
        $afterScript = New-AppScript -ProductSeed 41 -Products 3000 -UserSeed 42 -Users 200 -Round 2
        # The sync streams in a child process until -Until; the application writes during its full load, then again while it streams.
        $until = [DateTime]::UtcNow.AddMinutes(10).ToString('o')
        $script:child = Start-PwshProcess @"
Import-Module '$env:ECOM_MODULE_PATH'
Set-Location '$([System.IO.Path]::GetTempPath())'
Sync-EcommerceMigration -TableName '$table' -MongoUri '$uri' -Entity Product, User -MaxConcurrency 1 -Until '$until' *>> '$script:childLog'
"@
        $script:duringLoad = Wait-Phase $table 'Product' 'FullLoad' -Child $child
        $app = Start-App $uri $db $appScript 300
        $script:appOut = Wait-App $app
        $script:streaming = Wait-Phase $table 'Product' 'Streaming' -Child $child
        $app = Start-App $uri $db $afterScript 300
        $script:appOut2 = Wait-App $app
        Start-Sleep -Seconds 2
        $script:statusWhileStreaming = Get-MigrationStatus -TableName $table -Entity Product
        # The cut-over: writes are frozen (the simulator is done); stop the background sync, then -Drain here.
        $child.Kill($true); $child.WaitForExit()
        $null = Wait-LeaseExpiry $table 'Product'; $null = Wait-LeaseExpiry $table 'User'
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $script:drained = Sync-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product, User -Drain
        $script:drainSeconds = $watch.Elapsed.TotalSeconds
        $script:full = Test-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product, User -Full
        $script:status = Get-MigrationStatus -TableName $table -Entity Product, User
        $script:table = $table; $script:uri = $uri; $script:db = $db
    }
    AfterAll { if ($child -and -not $child.HasExited) { $child.Kill($true); $child.WaitForExit() } }

    It 'the application wrote during the full load and while the sync streamed' {
        $duringLoad.SyncPhase.S | Should -Be 'FullLoad'
        $duringLoad.SyncStartTime.S | Should -Match '^\d+:\d+$'
        "$appOut" | Should -Match 'applied \d+'
        "$appOut2" | Should -Match 'applied \d+'
        $statusWhileStreaming.Phase | Should -Be 'Streaming'
        $statusWhileStreaming.EventsApplied | Should -BeGreaterThan 0
    }

    It '-Drain catches up and stops: one Drained result per entity, resume point kept' {
        $drained.Count | Should -Be 2
        foreach ($r in $drained) {
            $r | Should -BeOfType ([EcommerceAws.Output.MigrationSyncResult])
            $r.Phase | Should -Be 'Drained'
            $r.ResumePoint | Should -Not -BeNullOrEmpty
            $r.DrainedTo | Should -Match '^\d+:\d+$'
            $r.LagSeconds | Should -Be 0
        }
        $drainSeconds | Should -BeLessThan 60
    }

    It 'Test-EcommerceMigration -Full passes: the table equals the mapped source' {
        foreach ($v in $full) {
            $v.Full | Should -BeTrue
            ($v.Mismatches | ForEach-Object { "$($_.Kind) $_" }) -join "`n" | Should -BeNullOrEmpty
            $v.Missing | Should -Be 0
            $v.Extra | Should -Be 0
            $v.Different | Should -Be 0
            $v.Passed | Should -BeTrue
        }
        ($full | Where-Object Entity -eq 'Product').ExpectedCount | Should -BeGreaterThan 3000
    }

    It 'the later holder of an e-mail is rejected and has no item; the first keeps it' {
        $users = Invoke-AwsCli dynamodb query --table-name $table --index-name GSI1 --key-condition-expression 'GSI1PK = :e' --expression-attribute-values '{":e":{"S":"EMAIL#user0@shop.cm"}}'
        @($users.Items).Count | Should -Be 1
        $users.Items[0].id.S | Should -Be (New-ObjectIdText 42 0)
        $late = Invoke-AwsCli dynamodb get-item --table-name $table --key ('{"PK":{"S":"USER#' + (New-ObjectIdText 42 199) + '"},"SK":{"S":"USER#' + (New-ObjectIdText 42 199) + '"}}')
        $late | Should -BeNullOrEmpty
        # Rejected by the full load (it read the new e-mail) or by the change stream (it applied the change), whichever came first.
        $userStatus = $status | Where-Object Entity -eq 'User'
        $userStatus.Rejected + $userStatus.EventsRejected | Should -BeGreaterThan 0
        $rejects = Get-Content (($drained | Where-Object Entity -eq 'User').RejectPath) | ConvertFrom-Json
        @($rejects | Where-Object { $_.reason -eq 'DuplicateEmail' -and $_._id -eq (New-ObjectIdText 42 199) }).Count | Should -BeGreaterThan 0
    }

    It 'renames moved GSI1; no tombstone is left; deleted products are gone' {
        Get-Tombstones $table | Should -BeNullOrEmpty
        $moved = Invoke-AwsCli dynamodb query --table-name $table --index-name GSI1 --key-condition-expression 'GSI1PK = :c' --expression-attribute-values '{":c":{"S":"CATEGORY#Moved 1"}}'
        @($moved.Items).Count | Should -BeGreaterThan 0
        foreach ($item in $moved.Items) { $item.GSI1SK.S | Should -Match '^PRODUCT#Renamed ' }
    }

    It 'Get-MigrationStatus shows the sync: Phase, events, last event time, lag and resume point' {
        foreach ($s in $status) {
            $s.Phase | Should -Be 'Drained'
            $s.EventsApplied | Should -BeGreaterThan 0
            $s.LastEventTime | Should -BeOfType ([datetime])
            $s.LagSeconds | Should -Be 0
            $s.ResumePoint | Should -Not -BeNullOrEmpty
            $s.SyncStartPoint | Should -Match '^\d+:\d+$'
        }
        ($status | Format-Table -View Sync | Out-String -Width 80) | Should -Match 'Drained'
    }

    It 'the application reads products, never the version attribute' {
        $id = New-ObjectIdText 41 1
        $product = Get-EcommerceProduct -TableName $table -Id $id
        $product | Should -Not -BeNullOrEmpty
        ($product | ConvertTo-Json -Depth 10) | Should -Not -Match '_syncVersion'
        $raw = Invoke-AwsCli dynamodb get-item --table-name $table --key ('{"PK":{"S":"PRODUCT#' + $id + '"},"SK":{"S":"PRODUCT#' + $id + '"}}')
        $raw.Item._syncVersion.N | Should -Match '^\d+$'
    }

    It 'a second -Drain with nothing new applies nothing and still passes -Full' {
        $again = Sync-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product -Drain
        $again.Phase | Should -Be 'Drained'
        $again.EventsThisRun | Should -Be 0
        $again.FullLoad | Should -BeNullOrEmpty
        (Test-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product -Full).Passed | Should -BeTrue
    }
}

Describe 'Sync-EcommerceMigration killed (kill -9) in the middle, then run again' -Tag Integration {
    BeforeAll {
        $rs = Start-ReplicaSet @('--replica-set', 'rs0')
        $table = New-SyncTable
        $db = New-Db
        $uri = Get-RsUri $rs $db
        Add-SyncDocs $uri $db 'products' @(New-ProductLines -Count 2000 -Seed 51)
        Add-SyncDocs $uri $db 'users' @(New-UserLines -Count 100 -Seed 52)
        $sync = @"
Import-Module '$env:ECOM_MODULE_PATH'
Set-Location '$([System.IO.Path]::GetTempPath())'
Sync-EcommerceMigration -TableName '$table' -MongoUri '$uri' -Entity Product, User -MaxConcurrency 1 *>> '$script:childLog'
"@
        # First process: killed while its full load runs and the application writes.
        $first = Start-PwshProcess $sync
        $null = Wait-Phase $table 'Product' 'FullLoad' -Child $first
        $app = Start-App $uri $db (New-AppScript -ProductSeed 51 -Products 2000 -UserSeed 52 -Users 100 -Round 1) 200
        Start-Sleep -Milliseconds 300
        $first.Kill($true); $first.WaitForExit()
        $script:afterKill = Get-StatusItem $table 'Product'
        $null = Wait-App $app
        # Second process: resumes (the full load from its checkpoint, the stream from its resume point), killed while streaming.
        $null = Wait-LeaseExpiry $table 'Product'; $null = Wait-LeaseExpiry $table 'User'
        $second = Start-PwshProcess $sync
        $script:resumedStreaming = Wait-Phase $table 'Product' 'Streaming' -Child $second -TimeoutSeconds 300
        $app = Start-App $uri $db (New-AppScript -ProductSeed 51 -Products 2000 -UserSeed 52 -Users 100 -Round 2) 200
        Start-Sleep -Milliseconds 300
        $second.Kill($true); $second.WaitForExit()
        $null = Wait-App $app
        $null = Wait-LeaseExpiry $table 'Product'; $null = Wait-LeaseExpiry $table 'User'
        $script:drained = Sync-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product, User -Drain
        $script:full = Test-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product, User -Full
        $script:table = $table
    }

    It 'the first process died in its full load with the start point recorded' {
        $afterKill.SyncPhase.S | Should -Be 'FullLoad'
        $afterKill.State.S | Should -Be 'Running'
        $afterKill.SyncStartTime.S | Should -Match '^\d+:\d+$'
        [long]$afterKill.Written.N | Should -BeLessThan 2000
    }

    It 'the re-run kept the start point and the run id (it resumed, it did not start over)' {
        $resumedStreaming.SyncStartTime.S | Should -Be $afterKill.SyncStartTime.S
        $resumedStreaming.RunId.S | Should -Be $afterKill.RunId.S
    }

    It 'after the last re-run with -Drain the table equals the mapped source exactly' {
        foreach ($r in $drained) { $r.Phase | Should -Be 'Drained' }
        foreach ($v in $full) {
            ($v.Mismatches | ForEach-Object { "$($_.Kind) $_" }) -join "`n" | Should -BeNullOrEmpty
            $v.Passed | Should -BeTrue
        }
        Get-Tombstones $table | Should -BeNullOrEmpty
    }
}

Describe 'Sync-EcommerceMigration refuses before it writes anything' -Tag Integration {
    BeforeAll {
        $script:table = New-SyncTable
        $script:db = New-Db
        $script:rs = Start-ReplicaSet @('--replica-set', 'rs0', '--oplog-size', '5')
        $script:uri = Get-RsUri $rs $db
        Add-SyncDocs $uri $db 'products' @(New-ProductLines -Count 3 -Seed 61)
        $script:secured = Start-ReplicaSet @('--replica-set', 'rs0', '--user', 'shop', '--password', 'S3cretPw')
    }

    It 'a standalone server: SyncNeedsReplicaSet, and no status item' {
        $standalone = "$($env:ECOM_TEST_MONGO_URI)$db"
        Add-SyncDocs $standalone $db 'products' @(New-ProductLines -Count 3 -Seed 62)
        $fresh = New-SyncTable
        $e = try { Sync-EcommerceMigration -TableName $fresh -MongoUri $standalone -Entity Product -Drain -ErrorAction Stop; $null } catch { $_ }
        $e.FullyQualifiedErrorId | Should -Match '^SyncNeedsReplicaSet'
        $e.ErrorDetails.RecommendedAction + $e.Exception.Message | Should -Match 'replica set'
        Get-StatusItem $fresh 'Product' | Should -BeNullOrEmpty
        Get-EntityCount $fresh 'PRODUCT' | Should -Be 0
    }

    It 'a dump (-Path): SyncNeedsMongoSource' {
        $file = Write-Lines @(New-ProductLines -Count 2 -Seed 63); $script:files.Add($file)
        $e = try { Sync-EcommerceMigration -TableName $table -Path $file -Entity Product -ErrorAction Stop; $null } catch { $_ }
        $e.FullyQualifiedErrorId | Should -Match '^SyncNeedsMongoSource'
    }

    It 'a user who may not read: SyncPrivilegeMissing' {
        $fresh = New-SyncTable
        $e = try { Sync-EcommerceMigration -TableName $fresh -MongoUri (Get-RsUri $secured $db) -Entity Product -Drain -ErrorAction Stop; $null } catch { $_ }
        $e.FullyQualifiedErrorId | Should -Match '^SyncPrivilegeMissing'
        $e.Exception.Message | Should -Match 'find'
        Get-StatusItem $fresh 'Product' | Should -BeNullOrEmpty
    }

    It '-WhatIf checks the source and writes nothing' {
        $fresh = New-SyncTable
        $r = Sync-EcommerceMigration -TableName $fresh -MongoUri $uri -Entity Product -Drain -WhatIf
        $r.WhatIf | Should -BeTrue
        $r.Phase | Should -Be 'FullLoad'
        Get-StatusItem $fresh 'Product' | Should -BeNullOrEmpty
        Get-EntityCount $fresh 'PRODUCT' | Should -Be 0
    }

    It 'history lost: a resumed sync refuses with SyncHistoryLost; -Restart is safe and converges' {
        $first = Sync-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product -Drain
        $first.Phase | Should -Be 'Drained'
        $before = Get-StatusItem $table 'Product'
        # Ten changes through a five-entry oplog: the sync's resume point falls off.
        for ($i = 0; $i -lt 10; $i++) {
            $null = Invoke-MongoClient --uri $uri --db $db --collection products update --id ('{"$oid":"' + (New-ObjectIdText 61 ($i % 3)) + '"}') --update ('{"$set":{"price":' + (100 + $i) + '}}')
        }
        $e = try { Sync-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product -Drain -ErrorAction Stop; $null } catch { $_ }
        $e.FullyQualifiedErrorId | Should -Match '^SyncHistoryLost'
        $e.ErrorDetails.RecommendedAction | Should -Match '-Restart'
        (Get-StatusItem $table 'Product').SyncResumeToken.S | Should -Be $before.SyncResumeToken.S
        (Test-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product -Full).Different | Should -Be 3
        $restarted = Sync-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product -Drain -Restart
        $restarted.Phase | Should -Be 'Drained'
        $restarted.FullLoad.Written | Should -Be 3
        (Test-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product -Full).Passed | Should -BeTrue
    }

    It 'a second sync of one entity while the first runs: MigrationAlreadyRunning' {
        $busy = New-SyncTable
        $child = Start-PwshProcess @"
Import-Module '$env:ECOM_MODULE_PATH'
Set-Location '$([System.IO.Path]::GetTempPath())'
Sync-EcommerceMigration -TableName '$busy' -MongoUri '$uri' -Entity Product *>> '$script:childLog'
"@
        try {
            $null = Wait-Phase $busy 'Product' 'Streaming' -Child $child
            $e = try { Sync-EcommerceMigration -TableName $busy -MongoUri $uri -Entity Product -Drain -ErrorAction Stop; $null } catch { $_ }
            $e.FullyQualifiedErrorId | Should -Match '^MigrationAlreadyRunning'
            $e.Exception.Message | Should -Match "$($child.Id)"
        }
        finally { $child.Kill($true); $child.WaitForExit() }
    }
}

Describe 'A tombstone is not a product' -Tag Integration {
    It 'Get-EcommerceProduct and Set-EcommerceProduct do not see a tombstone; Test -Full reports it as Extra' {
        $table = New-SyncTable
        $rs = Start-ReplicaSet @('--replica-set', 'rs0')
        $db = New-Db
        $uri = Get-RsUri $rs $db
        Add-SyncDocs $uri $db 'products' @(New-ProductLines -Count 2 -Seed 71)
        $null = Sync-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product -Drain
        $null = Invoke-AwsCli dynamodb put-item --table-name $table --item '{"PK":{"S":"PRODUCT#gone1"},"SK":{"S":"PRODUCT#gone1"},"id":{"S":"gone1"},"entityType":{"S":"TOMBSTONE"},"_syncVersion":{"N":"99"}}'
        Get-EcommerceProduct -TableName $table -Id 'gone1' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e = try { Set-EcommerceProduct -TableName $table -Id 'gone1' -Price 5 -Confirm:$false -ErrorAction Stop; $null } catch { $_ }
        $e | Should -Not -BeNullOrEmpty
        (Invoke-AwsCli dynamodb get-item --table-name $table --key '{"PK":{"S":"PRODUCT#gone1"},"SK":{"S":"PRODUCT#gone1"}}').Item.entityType.S | Should -Be 'TOMBSTONE'
        $v = Test-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product -Full
        $v.Passed | Should -BeFalse
        $v.Extra | Should -Be 1
        @($v.Mismatches | Where-Object { $_.Kind -eq 'Extra' -and $_.Id -eq 'gone1' }).Count | Should -Be 1
    }
}

Describe 'The version rule: an older change never overwrites a newer item' -Tag Integration {
    It 'a change older than the stored _syncVersion is skipped; a newer one is applied' {
        $table = New-SyncTable
        $rs = Start-ReplicaSet @('--replica-set', 'rs0')
        $db = New-Db
        $uri = Get-RsUri $rs $db
        Add-SyncDocs $uri $db 'products' @(New-ProductLines -Count 2 -Seed 81)
        $null = Sync-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product -Drain
        $newer = New-ObjectIdText 81 0; $plain = New-ObjectIdText 81 1
        # An item "from the future" (a version above any cluster time of today) stands in for a newer change already applied.
        $null = Invoke-AwsCli dynamodb put-item --table-name $table --item ('{"PK":{"S":"PRODUCT#' + $newer + '"},"SK":{"S":"PRODUCT#' + $newer + '"},"GSI1PK":{"S":"CATEGORY#Beauty"},"GSI1SK":{"S":"PRODUCT#Future"},"id":{"S":"' + $newer + '"},"entityType":{"S":"PRODUCT"},"nameEn":{"S":"Future"},"_syncVersion":{"N":"99999999999999999999"}}')
        foreach ($id in $newer, $plain) {
            $null = Invoke-MongoClient --uri $uri --db $db --collection products update --id ('{"$oid":"' + $id + '"}') --update '{"$set":{"price":4242}}'
        }
        $r = Sync-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product -Drain
        $r.EventsThisRun | Should -Be 2
        $kept = (Invoke-AwsCli dynamodb get-item --table-name $table --key ('{"PK":{"S":"PRODUCT#' + $newer + '"},"SK":{"S":"PRODUCT#' + $newer + '"}}')).Item
        $kept.nameEn.S | Should -Be 'Future'
        $kept.PSObject.Properties['price'] | Should -BeNullOrEmpty
        $applied = (Invoke-AwsCli dynamodb get-item --table-name $table --key ('{"PK":{"S":"PRODUCT#' + $plain + '"},"SK":{"S":"PRODUCT#' + $plain + '"}}')).Item
        $applied.price.N | Should -Be '4242'
        [decimal]$applied._syncVersion.N | Should -BeGreaterThan ([decimal]([DateTimeOffset]::UtcNow.ToUnixTimeSeconds() - 600) * [decimal][math]::Pow(2, 32))
    }
}

Describe 'Sync-EcommerceMigration after Invoke-EcommerceMigration -Method Import from MongoDB (issue 12 hook)' -Tag Integration {
    BeforeAll {
        $rs = Start-ReplicaSet @('--replica-set', 'rs0')
        $db = New-Db
        $uri = Get-RsUri $rs $db
        Add-SyncDocs $uri $db 'products' @(New-ProductLines -Count 300 -Seed 61)
        $bucket = New-TestName 'stage'
        $null = Invoke-AwsCli s3api create-bucket --bucket $bucket
        $table = New-TestName 'syncimp'
        $script:tables.Add($table)
        $script:imported = Invoke-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product -Method Import -StagingBucket $bucket -Confirm:$false
        $script:afterImport = Get-StatusItem $table 'Product'
        # The application keeps selling after the export: price updates, renames (GSI1 moves), deletes, new products, a replacement.
        $ops = [System.Collections.Generic.List[string]]::new()
        for ($i = 0; $i -lt 20; $i++) { $ops.Add('{"collection":"products","op":"update","id":' + (Oid 61 $i) + ',"update":{"$set":{"price":' + (9000 + $i) + '}}}') }
        for ($i = 20; $i -lt 25; $i++) { $ops.Add('{"collection":"products","op":"update","id":' + (Oid 61 $i) + ',"update":{"$set":{"nameEn":"After import ' + $i + '","category":"Moved"}}}') }
        for ($i = 30; $i -lt 35; $i++) { $ops.Add('{"collection":"products","op":"delete","id":' + (Oid 61 $i) + '}') }
        for ($i = 0; $i -lt 5; $i++) { $ops.Add('{"collection":"products","op":"insert","document":' + (New-SyncProduct 62 $i "Added $i" 'Beauty' 600) + '}') }
        $ops.Add('{"collection":"products","op":"replace","id":' + (Oid 61 40) + ',"replacement":{"nameEn":"Replaced","nameFr":"Remplace","category":"Home & Kitchen","price":1500,"currency":"XAF","stock":2,"images":[],"active":true,"createdAt":{"$date":"2024-05-01T00:00:00.000Z"}}}')
        $script:changeCount = $ops.Count
        $file = Write-Lines $ops.ToArray(); $script:files.Add($file)
        $null = Wait-App (Start-App $uri $db $file 200)
        $script:drained = Sync-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product -Drain
        $script:full = Test-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product -Full
        $script:table = $table
    }

    It 'the import recorded the cluster time before its export' {
        $imported.State | Should -Be 'Completed'
        $afterImport.Method.S | Should -Be 'Import'
        $afterImport.ChangeStreamStartAt.S | Should -Match '^\{\s*"\$timestamp"\s*:\s*\{\s*"t"\s*:\s*\d+\s*,\s*"i"\s*:\s*\d+\s*\}\s*\}$'
    }

    It 'the sync skipped the full load and streamed from that point: exactly the changes made after the import' {
        $drained.Phase | Should -Be 'Drained'
        $drained.FullLoad | Should -BeNullOrEmpty
        $afterImport.ChangeStreamStartAt.S -match '"t"\s*:\s*(\d+)\s*,\s*"i"\s*:\s*(\d+)' | Should -BeTrue
        $drained.StartPoint | Should -Be "$($Matches[1]):$($Matches[2])"
        # startAtOperationTime is inclusive: the last seeding insert, at the recorded cluster time itself, comes too.
        $drained.EventsThisRun | Should -Be ($changeCount + 1)
        ($drained.Notes -join ' ') | Should -Match 'Method Import'
    }

    It 'Test-EcommerceMigration -Full passes: the imported table plus the changes equals the source' {
        ($full.Mismatches | ForEach-Object { "$($_.Kind) $_" }) -join "`n" | Should -BeNullOrEmpty
        $full.Full | Should -BeTrue
        $full.Passed | Should -BeTrue
        $full.ExpectedCount | Should -Be (300 - 5 + 5)
    }
}

Describe 'Batches of changes (docs/DESIGN.md §5): unconditional only after the replay horizon' -Tag Integration {
    It 'changes from before the run (the replay window) are written on condition, even in batches: a newer item is kept' {
        $table = New-SyncTable
        $rs = Start-ReplicaSet @('--replica-set', 'rs0')
        $db = New-Db
        $uri = Get-RsUri $rs $db
        Add-SyncDocs $uri $db 'products' @(New-ProductLines -Count 40 -Seed 83)
        $null = Sync-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product -Drain
        # Items "from the future" stand in for changes a dead run applied beyond its resume point.
        $future = 0..9 | ForEach-Object { New-ObjectIdText 83 ($_ * 4) }
        foreach ($id in $future) {
            $null = Invoke-AwsCli dynamodb put-item --table-name $table --item ('{"PK":{"S":"PRODUCT#' + $id + '"},"SK":{"S":"PRODUCT#' + $id + '"},"GSI1PK":{"S":"CATEGORY#Beauty"},"GSI1SK":{"S":"PRODUCT#Future"},"id":{"S":"' + $id + '"},"entityType":{"S":"PRODUCT"},"nameEn":{"S":"Future"},"_syncVersion":{"N":"99999999999999999999"}}')
        }
        $ops = 0..39 | ForEach-Object { '{"collection":"products","op":"update","id":' + (Oid 83 $_) + ',"update":{"$set":{"price":5151}}}' }
        $file = Write-Lines $ops; $script:files.Add($file)
        $null = Wait-App (Start-App $uri $db $file 0)
        # One writer and 40 changes waiting: batches form; all 40 are older than the run's start (its replay horizon).
        $r = Sync-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product -Drain -MaxConcurrency 1
        $r.EventsThisRun | Should -Be 40
        foreach ($id in $future) {
            $kept = (Invoke-AwsCli dynamodb get-item --table-name $table --key ('{"PK":{"S":"PRODUCT#' + $id + '"},"SK":{"S":"PRODUCT#' + $id + '"}}')).Item
            $kept.nameEn.S | Should -Be 'Future' -Because "$id holds a newer version"
        }
        $plain = New-ObjectIdText 83 1
        (Invoke-AwsCli dynamodb get-item --table-name $table --key ('{"PK":{"S":"PRODUCT#' + $plain + '"},"SK":{"S":"PRODUCT#' + $plain + '"}}')).Item.price.N | Should -Be '5151'
    }

    It 'changes made while the sync streams and it is behind go in BatchWriteItem batches; many changes of one _id fold into the last' {
        $table = New-SyncTable
        $rs = Start-ReplicaSet @('--replica-set', 'rs0')
        $db = New-Db
        $uri = Get-RsUri $rs $db
        Add-SyncDocs $uri $db 'products' @(New-ProductLines -Count 200 -Seed 84)
        $resultFile = Join-Path ([System.IO.Path]::GetTempPath()) "ecom-syncbatch-$([guid]::NewGuid().ToString('N')).json"
        $script:files.Add($resultFile)
        $until = [DateTime]::UtcNow.AddSeconds(60).ToString('o')
        $child = Start-PwshProcess @"
Import-Module '$env:ECOM_MODULE_PATH'
Set-Location '$([System.IO.Path]::GetTempPath())'
Sync-EcommerceMigration -TableName '$table' -MongoUri '$uri' -Entity Product -MaxConcurrency 1 -Until '$until' | ConvertTo-Json -Depth 3 | Set-Content '$resultFile'
"@
        try {
            $null = Wait-Phase $table 'Product' 'Streaming' -Child $child
            # 200 products changed twice each, unpaced, plus 50 replacements of one product: the last one (price 7049) must win.
            # (Replacements carry the document as of their event; an update's updateLookup reads the current one.)
            $ops = [System.Collections.Generic.List[string]]::new()
            foreach ($round in 1, 2) { foreach ($i in 0..199) { $ops.Add('{"collection":"products","op":"update","id":' + (Oid 84 $i) + ',"update":{"$set":{"price":' + (6000 + $round * 1000 + $i) + '}}}') } }
            foreach ($k in 0..49) {
                $ops.Add('{"collection":"products","op":"replace","id":' + (Oid 84 7) + ',"replacement":{"nameEn":"Replaced ' + $k + '","nameFr":"Remplace","category":"Beauty","price":' + (7000 + $k) + ',"currency":"XAF","stock":1,"images":[],"active":true,"createdAt":{"$date":"2024-05-01T00:00:00.000Z"}}}')
            }
            $file = Write-Lines $ops.ToArray(); $script:files.Add($file)
            $null = Wait-App (Start-App $uri $db $file 0)
            if (-not $child.WaitForExit(150000)) { throw 'the sync did not stop at -Until' }
        }
        finally { if (-not $child.HasExited) { $child.Kill($true); $child.WaitForExit() } }
        $r = Get-Content $resultFile -Raw | ConvertFrom-Json
        $r.EventsThisRun | Should -Be 451 # 450 + the last seeding insert, at the start point itself (startAtOperationTime is inclusive)
        ($r.Notes -join ' ') | Should -Match 'written in [\d,]+ BatchWriteItem call'
        ($r.Notes -join ' ') | Should -Match 'folded into a later change'
        $seven = New-ObjectIdText 84 7
        (Invoke-AwsCli dynamodb get-item --table-name $table --key ('{"PK":{"S":"PRODUCT#' + $seven + '"},"SK":{"S":"PRODUCT#' + $seven + '"}}')).Item.price.N | Should -Be '7049'
        $full = Test-EcommerceMigration -TableName $table -MongoUri $uri -Entity Product -Full
        ($full.Mismatches | ForEach-Object { "$($_.Kind) $_" }) -join "`n" | Should -BeNullOrEmpty
        $full.Passed | Should -BeTrue
    }
}
