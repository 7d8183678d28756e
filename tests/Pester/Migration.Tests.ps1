# The migration engine end to end: wire server / files → Invoke-*Migration → moto, checked with /usr/bin/aws.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'MigrationHelpers.psm1') -Force
    Import-EcommerceAws
    $script:files = [System.Collections.Generic.List[string]]::new()
    function Add-Docs([string] $Uri, [string] $Db, [string] $Collection, [string[]] $Lines) {
        $file = Write-Lines $Lines; $script:files.Add($file)
        $null = Invoke-MongoClient --uri $Uri --db $Db --collection $Collection insert --file $file
    }
    $script:Uri = $env:ECOM_TEST_MONGO_URI
    Push-Location ([System.IO.Path]::GetTempPath())
}

AfterAll {
    Pop-Location
    Remove-MigrationTable
    foreach ($file in $script:files) { Remove-Item $file -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Invoke-ProductMigration from MongoDB' -Tag Integration {
    BeforeAll {
        $table = New-MigrationTable
        $db = New-Db
        $bad = '{"_id":{"$oid":"ffffffff0000000000000001"},"nameFr":"Sans nom","category":"Beauty","price":100}'
        Add-Docs $Uri $db 'products' (@(New-ProductLines -Count 120) + $bad)
        $result = Invoke-ProductMigration -TableName $table -MongoUri "$Uri$db" -MaxConcurrency 4
    }

    It 'returns a MigrationResult where written + rejected = source count' {
        $result | Should -BeOfType ([EcommerceAws.Output.MigrationResult])
        $result.State | Should -Be 'Completed'
        $result.SourceCount | Should -Be 121
        $result.Written | Should -Be 120
        $result.Rejected | Should -Be 1
        $result.Written + $result.Rejected | Should -Be $result.SourceCount
        $result.Checkpoint | Should -Not -BeNullOrEmpty
    }

    It 'lands every product (scan COUNT on entityType ignores the status item)' {
        Get-EntityCount $table 'PRODUCT' | Should -Be 120
    }

    It 'stores the keys, types and GSI1 per docs/DESIGN.md §4 (aws get-item / query)' {
        $id = New-ObjectIdText 1 7
        $item = (Invoke-AwsCli dynamodb get-item --table-name $table --key "{`"PK`":{`"S`":`"PRODUCT#$id`"},`"SK`":{`"S`":`"PRODUCT#$id`"}}").Item
        $item.id.S | Should -Be $id
        $item.entityType.S | Should -Be 'PRODUCT'
        $item.GSI1PK.S | Should -Be 'CATEGORY#Beauty'
        $item.GSI1SK.S | Should -Be 'PRODUCT#Product 7'
        $item.price.N | Should -Be '1007.5'
        $item.stock.N | Should -Be '7'
        $raw = & /usr/bin/aws --endpoint-url $env:AWS_ENDPOINT_URL --region us-east-1 dynamodb get-item --table-name $table --projection-expression createdAt --key "{`"PK`":{`"S`":`"PRODUCT#$id`"},`"SK`":{`"S`":`"PRODUCT#$id`"}}" | Out-String
        $raw | Should -Match '"S": "2024-03-01T10:15:30.123Z"'
        $item.images.L[0].S | Should -Be 'products/7.jpg'
        $item.PSObject.Properties.Name | Should -Not -Contain '__v'
        $byCategory = Invoke-AwsCli dynamodb query --table-name $table --index-name GSI1 --key-condition-expression 'GSI1PK = :c' --expression-attribute-values '{":c":{"S":"CATEGORY#Electronics"}}'
        $byCategory.Count | Should -Be 30
    }

    It 'writes the rejects file with entity, _id, reason, field' {
        $lines = @(Get-Content $result.RejectPath | ForEach-Object { $_ | ConvertFrom-Json })
        $lines.Count | Should -Be 1
        $lines[0].entity | Should -Be 'Product'
        $lines[0]._id | Should -Be 'ffffffff0000000000000001'
        $lines[0].reason | Should -Be 'MissingField'
        $lines[0].field | Should -Be 'nameEn'
        $script:files.Add($result.RejectPath)
    }

    It 'keeps a Completed status item (PK MIGRATION#PRODUCT, SK STATUS) that Get-MigrationStatus reads' {
        $status = Get-StatusItem $table 'Product'
        $status.State.S | Should -Be 'Completed'
        $status.Written.N | Should -Be '120'
        $status.Rejected.N | Should -Be '1'
        $status.entityType.S | Should -Be 'MIGRATION_STATUS'
        $row = Get-MigrationStatus -TableName $table -Entity Product
        $row | Should -BeOfType ([EcommerceAws.Output.MigrationStatusInfo])
        $row.State | Should -Be 'Completed'
        $row.RunId | Should -Be $result.RunId
        $row.SourceCount | Should -Be 121
    }

    It 'writes nothing new when run again on a completed migration, and says so' {
        $again = Invoke-ProductMigration -TableName $table -MongoUri "$Uri$db"
        $again.WrittenThisRun | Should -Be 0
        $again.Written | Should -Be 120
        $again.State | Should -Be 'Completed'
        ($again.Notes -join ' ') | Should -Match 'nothing new'
        Get-EntityCount $table 'PRODUCT' | Should -Be 120
    }

    It 'verifies counts and a re-mapped sample (Test-EcommerceMigration) and records it on the status item' {
        $v = Test-EcommerceMigration -TableName $table -Entity Product -MongoUri "$Uri$db" -SampleSize 30
        $v | Should -BeOfType ([EcommerceAws.Output.MigrationVerification])
        $v.Passed | Should -BeTrue
        $v.ExpectedCount | Should -Be 120
        $v.ActualCount | Should -Be 120
        $v.SampleSize | Should -BeGreaterThan 25
        $v.Mismatches.Count | Should -Be 0
        (Get-StatusItem $table 'Product').LastVerificationPassed.BOOL | Should -BeTrue
    }

    It 'finds a tampered item in the sample' {
        $id = New-ObjectIdText 1 3
        $null = Invoke-AwsCli dynamodb update-item --table-name $table --key "{`"PK`":{`"S`":`"PRODUCT#$id`"},`"SK`":{`"S`":`"PRODUCT#$id`"}}" --update-expression 'SET nameFr = :x' --expression-attribute-values '{":x":{"S":"Altéré"}}'
        $v = Test-EcommerceMigration -TableName $table -Entity Product -MongoUri "$Uri$db" -SampleSize 500
        $v.Passed | Should -BeFalse
        ($v.Mismatches | Where-Object { $_.Id -eq $id -and $_.Attribute -eq 'nameFr' }) | Should -Not -BeNullOrEmpty
        $null = Invoke-AwsCli dynamodb update-item --table-name $table --key "{`"PK`":{`"S`":`"PRODUCT#$id`"},`"SK`":{`"S`":`"PRODUCT#$id`"}}" --update-expression 'SET nameFr = :x' --expression-attribute-values '{":x":{"S":"Produit 3"}}'
    }

    It 'Remove-MigratedSource refuses after a failed verification, drops only that collection after a passed one' {
        Add-Docs $Uri $db 'reviews' @('{"_id":1,"text":"bien"}')
        Get-ErrorId { Remove-MigratedSource -TableName $table -MongoUri "$Uri$db" -Entity Product -Confirm:$false } | Should -BeLike 'MigrationNotVerified*'
        (Invoke-MongoClient --uri $Uri --db $db --collection products count) | Should -Match '^\D*\b121\b\D*$'
        $null = Test-EcommerceMigration -TableName $table -Entity Product -MongoUri "$Uri$db" -SampleSize 10
        Remove-MigratedSource -TableName $table -MongoUri "$Uri$db" -Entity Product -WhatIf
        (Invoke-MongoClient --uri $Uri --db $db --collection products count) | Should -Match '^\D*\b121\b\D*$'
        Remove-MigratedSource -TableName $table -MongoUri "$Uri$db" -Entity Product -Confirm:$false
        (Invoke-MongoClient --uri $Uri --db $db --collection products count) | Should -Match '^\D*0\D*$'
        (Invoke-MongoClient --uri $Uri --db $db --collection reviews count) | Should -Match '^\D*\b1\b\D*$'
    }

    It 'Remove-MigrationStatus deletes the status item only' {
        Remove-MigrationStatus -TableName $table -Entity Product -Confirm:$false
        Get-StatusItem $table 'Product' | Should -BeNullOrEmpty
        Get-EntityCount $table 'PRODUCT' | Should -Be 120
    }
}

Describe 'Invoke-UserMigration from a file: DuplicateEmail, -WhatIf and secrets' -Tag Integration {
    BeforeAll {
        $table = New-MigrationTable
        $canary = 'Zq' + [guid]::NewGuid().ToString('N').Substring(0, 12)
        $dup = '{"_id":{"$oid":"00000002ffff000000000001"},"name":"Copy","email":"  USER3@Shop.cm ","passwordHash":"$2b$10$' + $canary + 'dup","role":"customer"}'
        $file = Write-Lines (@(New-UserLines -Count 30 -HashCanary $canary) + $dup); $script:files.Add($file)
        $rejects = Join-Path ([System.IO.Path]::GetTempPath()) "users-$([guid]::NewGuid().ToString('N')).jsonl"; $script:files.Add($rejects)
    }

    It '-WhatIf reads and maps everything but writes nothing' {
        $r = Invoke-UserMigration -TableName $table -Path $file -WhatIf
        $r.WhatIf | Should -BeTrue
        $r.Written | Should -Be 30
        $r.Rejected | Should -Be 1
        Get-EntityCount $table 'USER' | Should -Be 0
        (Invoke-AwsCli dynamodb scan --table-name $table --select COUNT).Count | Should -Be 0
    }

    It 'rejects the duplicate email and leaks the password hash nowhere' {
        $all = Invoke-UserMigration -TableName $table -Path $file -RejectPath $rejects -Verbose *>&1
        $r = $all | Where-Object { $_ -is [EcommerceAws.Output.MigrationResult] }
        $r.Written | Should -Be 30
        $r.Rejected | Should -Be 1
        $reject = Get-Content $rejects | ConvertFrom-Json
        $reject.reason | Should -Be 'DuplicateEmail'
        $reject._id | Should -Be '00000002ffff000000000001'
        $reject.field | Should -Be 'email'
        ($all | Out-String -Width 500) | Should -Not -Match $canary
        (Get-Content $rejects -Raw) | Should -Not -Match $canary
        (Get-StatusItem $table 'User' | ConvertTo-Json -Depth 10) | Should -Not -Match $canary
        $byEmail = Invoke-AwsCli dynamodb query --table-name $table --index-name GSI1 --key-condition-expression 'GSI1PK = :e' --expression-attribute-values '{":e":{"S":"EMAIL#user3@shop.cm"}}'
        $byEmail.Count | Should -Be 1
        $byEmail.Items[0].id.S | Should -Be (New-ObjectIdText 2 3)
    }

    It 'on a restarted run asks GSI1 for emails it has not seen in this run' {
        $file2 = Write-Lines @($dup); $script:files.Add($file2)
        $r = Invoke-UserMigration -TableName $table -Path $file2 -Restart -RejectPath $rejects
        $r.Rejected | Should -Be 1
        $r.Written | Should -Be 0
    }
}

Describe 'MongoDB password never shown' -Tag Integration {
    BeforeAll {
        Import-Module (Join-Path $env:ECOM_REPO_ROOT 'tests/TestServices.psm1') -Force
        $password = 'Pw' + [guid]::NewGuid().ToString('N').Substring(0, 14)
        $server = Start-MongoWireServer -LogDirectory ([System.IO.Path]::GetTempPath()) -MongoWireDll $env:ECOM_MONGOWIRE_DLL -User 'shopadmin' -Password $password
        $table = New-MigrationTable
        Add-Docs $server.Url 'shop' 'products' (New-ProductLines -Count 40 -Seed 9)
        $secretUri = $server.Url
    }
    AfterAll { $server | Stop-TestService }

    It 'masks it in every stream, the status item and errors' {
        $all = Invoke-ProductMigration -TableName $table -MongoUri $secretUri -Database shop -Verbose -WhatIf *>&1
        $all += Invoke-ProductMigration -TableName $table -MongoUri $secretUri -Database shop -Verbose *>&1
        $r = $all | Where-Object { $_ -is [EcommerceAws.Output.MigrationResult] } | Select-Object -Last 1
        $r.Written | Should -Be 40
        $r.Source | Should -Match '\*\*\*\*'
        $all += Get-MigrationStatus -TableName $table -Verify -MongoUri $secretUri -Database shop -Entity Product *>&1
        try { $all += Test-EcommerceMigration -TableName $table -Entity Product -MongoUri ($secretUri -replace $password, 'wrong') -Database shop *>&1 } catch { $all += $_ }
        try { Invoke-ProductMigration -TableName 'no-such-table-xyz' -MongoUri $secretUri -Database shop } catch { $all += $_ }
        try { Remove-MigratedSource -TableName $table -MongoUri "$($server.Url)other" -Entity Product -Confirm:$false } catch { $all += $_ }
        ($all | Out-String -Width 1000) | Should -Not -Match $password
        ($all | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $_.Exception.ToString() } }) -join "`n" | Should -Not -Match $password
        (Get-StatusItem $table 'Product' | ConvertTo-Json -Depth 10) | Should -Not -Match $password
    }
}

Describe 'Errors before any work' -Tag Integration {
    It 'a missing table stops with TableNotFound before the source is opened' {
        Get-ErrorId { Invoke-ProductMigration -TableName 'no-such-table-abc' -MongoUri 'mongodb://127.0.0.1:1/shop' } | Should -BeLike 'TableNotFound*'
    }
    It 'a bad MongoDB URI is refused without echoing it' {
        $e = try { Invoke-ProductMigration -TableName 'whatever' -MongoUri 'http://u:SeCrEt1@x' } catch { $_ }
        $e.FullyQualifiedErrorId | Should -BeLike 'InvalidMongoUri*'
        "$e $($e.TargetObject)" | Should -Not -Match 'SeCrEt1'
    }
}

Describe 'Resume after the process is killed' -Tag Integration {
    BeforeAll {
        $table = New-MigrationTable
        $db = New-Db
        $total = 20000
        Add-Docs $Uri $db 'products' (New-ProductLines -Count $total -Seed 5)
        # A short lease, so the killed run's lease expires within seconds (see MigrationLease.Tests.ps1).
        $script:ran = Start-PwshProcess @"
`$env:ECOM_MIGRATION_LEASE_SECONDS = '5'
Import-Module '$env:ECOM_MODULE_PATH'
Invoke-ProductMigration -TableName '$table' -MongoUri '$Uri$db' -MaxConcurrency 1
"@
        $deadline = [DateTime]::UtcNow.AddSeconds(120)
        $seen = $null
        while ([DateTime]::UtcNow -lt $deadline -and -not $ran.HasExited) {
            $s = Get-StatusItem $table 'Product'
            if ($s -and [long]$s.Written.N -gt 0) { $seen = $s; break }
            Start-Sleep -Milliseconds 200
        }
        if (-not $ran.HasExited) { $ran.Kill($true) }
        $ran.WaitForExit()
        $partial = $seen
        $null = Wait-LeaseExpiry $table 'Product'
    }

    It 'was killed part-way with a Running status and a checkpoint' {
        $partial | Should -Not -BeNullOrEmpty
        $partial.State.S | Should -Be 'Running'
        [long]$partial.Written.N | Should -BeLessThan $total
        $partial.Checkpoint.S | Should -Not -BeNullOrEmpty
    }

    It 'resumes to exactly the source set, Completed, no duplicates' {
        $r = Invoke-ProductMigration -TableName $table -MongoUri "$Uri$db"
        $r.State | Should -Be 'Completed'
        $r.Written | Should -Be $total
        $r.WrittenThisRun | Should -BeLessThan $total
        @($r.Notes | Where-Object { $_ -like "Resumed run * (Running) from checkpoint *, with * already written." }).Count | Should -Be 1 -Because ($r.Notes -join ' | ')
        $r.Written + $r.Rejected | Should -Be $r.SourceCount
        Get-EntityCount $table 'PRODUCT' | Should -Be $total
        (Get-StatusItem $table 'Product').State.S | Should -Be 'Completed'
    }
}

Describe 'Throttling' -Tag Integration {
    BeforeAll {
        $table = New-MigrationTable
        $proxy = Start-ThrottleProxy -Target $env:AWS_ENDPOINT_URL -Throttle 0.2 -Unprocessed 0.3
        $file = Write-Lines (New-ProductLines -Count 1000 -Seed 7); $script:files.Add($file)
    }
    AfterAll { if ($proxy) { $proxy.Process.Kill($true); $proxy.Process.WaitForExit() } }

    It 'lands every item when BatchWriteItem answers with ProvisionedThroughputExceeded and UnprocessedItems' {
        $all = Invoke-ProductMigration -TableName $table -Path $file -EndpointUrl $proxy.Url -Verbose *>&1
        $r = $all | Where-Object { $_ -is [EcommerceAws.Output.MigrationResult] }
        $r.Written | Should -Be 1000
        $r.State | Should -Be 'Completed'
        Get-EntityCount $table 'PRODUCT' | Should -Be 1000
        $stats = Invoke-RestMethod "$($proxy.Url)/__stats"
        $stats.throttled | Should -BeGreaterThan 0
        $stats.partial | Should -BeGreaterThan 0
        ($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and "$_" -match 'throttled' }) | Should -Not -BeNullOrEmpty
    }
}

Describe 'Invoke-EcommerceMigration' -Tag Integration {
    It 'migrates the entities of a folder in order, taking the table from the pipeline' {
        $table = New-MigrationTable
        $folder = Join-Path ([System.IO.Path]::GetTempPath()) "dump-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item -ItemType Directory $folder; $script:files.Add($folder)
        [System.IO.File]::WriteAllLines((Join-Path $folder 'products.json'), [string[]](New-ProductLines -Count 10 -Seed 3))
        [System.IO.File]::WriteAllLines((Join-Path $folder 'users.json'), [string[]](New-UserLines -Count 5))
        $results = [pscustomobject]@{ TableName = $table } | Invoke-EcommerceMigration -Path $folder -Entity User, Product -ErrorAction SilentlyContinue
        $results.Entity | Should -Be @('Product', 'User')
        $results.Written | Should -Be @(10, 5)
        (Get-MigrationStatus -TableName $table).Entity | Should -Be @('Product', 'User')
    }
}
