# The lease on a migration's status item: one run at a time per entity and table, a killed run's lease expires, re-runs are unaffected.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'MigrationHelpers.psm1') -Force
    Import-EcommerceAws
    $script:files = [System.Collections.Generic.List[string]]::new()
    function Get-Attribute($Item, [string] $Name) { if ($Item -and $Item.PSObject.Properties[$Name]) { $p = $Item.$Name; if ($p.PSObject.Properties['S']) { "$($p.S)" } else { "$($p.N)" } } }
    $script:Uri = $env:ECOM_TEST_MONGO_URI
    # Both the child runs and the runs in this process take 5 s leases.
    $script:oldLease = $env:ECOM_MIGRATION_LEASE_SECONDS
    $env:ECOM_MIGRATION_LEASE_SECONDS = '5'
    Push-Location ([System.IO.Path]::GetTempPath())
}

AfterAll {
    Pop-Location
    $env:ECOM_MIGRATION_LEASE_SECONDS = $script:oldLease
    Remove-MigrationTable
    foreach ($file in $script:files) { Remove-Item $file -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Two runs of one migration at the same time' -Tag Integration {
    BeforeAll {
        $table = New-MigrationTable
        $db = New-Db
        $total = 20000
        $file = Write-Lines (New-ProductLines -Count $total -Seed 21); $script:files.Add($file)
        $null = Invoke-MongoClient --uri $Uri --db $db --collection products insert --file $file
        $script:child = Start-PwshProcess @"
Import-Module '$env:ECOM_MODULE_PATH'
Invoke-ProductMigration -TableName '$table' -MongoUri '$Uri$db' -MaxConcurrency 1
"@
        $deadline = [DateTime]::UtcNow.AddSeconds(120)
        $script:running = $null
        while ([DateTime]::UtcNow -lt $deadline -and -not $child.HasExited) {
            $s = Get-StatusItem $table 'Product'
            if ($s -and [long]$s.Written.N -gt 0) { $script:running = $s; break }
            Start-Sleep -Milliseconds 200
        }
        # The second run, in this process, while the child is still writing.
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $script:second = try { Invoke-ProductMigration -TableName $table -MongoUri "$Uri$db" -ErrorAction Stop; $null } catch { $_ }
        $script:secondSeconds = $watch.Elapsed.TotalSeconds
        $script:afterSecond = Get-StatusItem $table 'Product'
        $script:statusAt = [DateTime]::UtcNow
        $script:statusRow = Get-MigrationStatus -TableName $table -Entity Product
        Remove-MigrationStatus -TableName $table -Entity Product -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable removeErrors
        $script:afterRemove = Get-StatusItem $table 'Product'
        $script:childAlive = -not $child.HasExited
    }
    AfterAll { if ($child -and -not $child.HasExited) { $child.Kill($true); $child.WaitForExit() } }

    It 'the child was migrating (Running, holding the lease) when the second run started' {
        $running | Should -Not -BeNullOrEmpty
        $running.State.S | Should -Be 'Running'
        Get-Attribute $running 'LeaseOwner' | Should -Not -BeNullOrEmpty
        Get-Attribute $running 'LeasePid' | Should -Be "$($child.Id)"
        $childAlive | Should -BeTrue
    }

    It 'the second run stops with MigrationAlreadyRunning (ResourceBusy) naming run, host, PID, expiry and what to do' {
        $second | Should -Not -BeNullOrEmpty
        $second.FullyQualifiedErrorId | Should -BeLike 'MigrationAlreadyRunning*'
        $second.CategoryInfo.Category | Should -Be 'ResourceBusy'
        $message = $second.Exception.Message
        $message | Should -Match ([regex]::Escape($running.RunId.S))
        $message | Should -Match ([regex]::Escape((Get-Attribute $running 'LeaseHost')))
        $message | Should -Match "PID $($child.Id)\b"
        $message | Should -Match 'until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(in \d+ s\)'
        $second.ErrorDetails.RecommendedAction | Should -Match 'Wait for that run to finish'
        $second.ErrorDetails.RecommendedAction | Should -Match 'If that process is dead, wait until its lease expires .*about \d+ s.*lasts 5 s'
        $secondSeconds | Should -BeLessThan 20 -Because 'it stops before reading the 20,000 documents'
    }

    It 'the second run wrote nothing: same RunId and lease owner, the child keeps writing' {
        $afterSecond.RunId.S | Should -Be $running.RunId.S
        Get-Attribute $afterSecond 'LeaseOwner' | Should -Be (Get-Attribute $running 'LeaseOwner')
        Get-Attribute $afterSecond 'LeasePid' | Should -Be "$($child.Id)"
    }

    It 'Get-MigrationStatus shows the run as Running with its lease holder' {
        $statusRow.State | Should -Be 'Running'
        $statusRow.RunId | Should -Be $running.RunId.S
        $statusRow.LeaseHolder | Should -Match "\(PID $($child.Id)\)"
        # Live when it was read (renewed every lease period), measured from the read, not from when this It runs on a loaded machine.
        $statusRow.LeaseExpiresAt | Should -BeGreaterThan ($statusAt.AddSeconds(-30))
    }

    It 'Remove-MigrationStatus refuses a leased item without -Force (non-terminating MigrationAlreadyRunning)' {
        $removeErrors.Count | Should -Be 1
        $removeErrors[0].FullyQualifiedErrorId | Should -BeLike 'MigrationAlreadyRunning*'
        "$($removeErrors[0])" | Should -Match 'not deleted'
        $afterRemove | Should -Not -BeNullOrEmpty
        $afterRemove.RunId.S | Should -Be $running.RunId.S
    }

    Context 'after kill -9 of the child' {
        BeforeAll {
            $script:wasRunningAtKill = -not $child.HasExited
            & kill -9 $child.Id
            $child.WaitForExit()
            $script:killed = Get-StatusItem $table 'Product'
            # A dead holder whose lease has not expired yet: push the expiry 10 minutes out (the item as a slow machine would
            # see it right after the kill), try a run, then put the real expiry back and wait for it.
            $key = '{"PK":{"S":"MIGRATION#PRODUCT"},"SK":{"S":"STATUS"}}'
            $setExpiry = { param($iso) $values = @{ ':e' = @{ S = $iso }; ':o' = @{ S = (Get-Attribute $killed 'LeaseOwner') } } | ConvertTo-Json -Compress
                $null = Invoke-AwsCli dynamodb update-item --table-name $table --key $key --update-expression 'SET LeaseExpiresAt = :e' `
                    --condition-expression 'LeaseOwner = :o' --expression-attribute-values $values }
            & $setExpiry ([DateTime]::UtcNow.AddMinutes(10).ToString('yyyy-MM-ddTHH:mm:ss.fffZ'))
            $script:tooEarly = try { Invoke-ProductMigration -TableName $table -MongoUri "$Uri$db" -ErrorAction Stop; $null } catch { $_ }
            & $setExpiry (Get-Attribute $killed 'LeaseExpiresAt')
            $null = Wait-LeaseExpiry $table 'Product'
            $script:resumed = Invoke-ProductMigration -TableName $table -MongoUri "$Uri$db" -Verbose 4>&1
        }

        It 'was killed part-way, the status item still Running with its lease and a checkpoint' {
            $wasRunningAtKill | Should -BeTrue
            $killed.State.S | Should -Be 'Running'
            $killed.Checkpoint.S | Should -Not -BeNullOrEmpty
            [long]$killed.Written.N | Should -BeLessThan $total
            Get-Attribute $killed 'LeaseOwner' | Should -Not -BeNullOrEmpty
        }

        It 'a run before the dead run''s lease expired is refused and told to wait for the expiry' {
            $tooEarly | Should -Not -BeNullOrEmpty -Because 'a live lease must refuse a second run, even of a dead holder'
            $tooEarly.FullyQualifiedErrorId | Should -BeLike 'MigrationAlreadyRunning*'
            $tooEarly.ErrorDetails.RecommendedAction | Should -Match 'lease expires'
        }

        It 'a run after the lease expired takes it over, resumes from the checkpoint and ends Completed with exactly the source set' {
            $r = $resumed | Where-Object { $_ -is [EcommerceAws.Output.MigrationResult] }
            $r.State | Should -Be 'Completed'
            $r.RunId | Should -Be $running.RunId.S
            $r.Written | Should -Be $total
            $r.WrittenThisRun | Should -BeLessThan $total
            $r.Written + $r.Rejected | Should -Be $r.SourceCount
            ($resumed | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and "$_" -match 'took over the expired lease' }) | Should -Not -BeNullOrEmpty
            Get-EntityCount $table 'PRODUCT' | Should -Be $total
            $final = Get-StatusItem $table 'Product'
            $final.State.S | Should -Be 'Completed'
            [long]$final.Written.N | Should -Be $total
            Get-Attribute $final 'LeaseOwner' | Should -BeNullOrEmpty -Because 'the final status write releases the lease'
            Get-Attribute $final 'LeaseExpiresAt' | Should -BeNullOrEmpty
        }
    }
}

Describe 'Sequential runs are unaffected' -Tag Integration {
    BeforeAll {
        $table = New-MigrationTable
        $file = Write-Lines (New-ProductLines -Count 60 -Seed 22); $script:files.Add($file)
    }

    It 'the lease is released at the end: a second run right away succeeds (nothing new), a third with new documents too' {
        $first = Invoke-ProductMigration -TableName $table -Path $file
        $first.State | Should -Be 'Completed'
        $first.Written | Should -Be 60
        Get-Attribute (Get-StatusItem $table 'Product') 'LeaseOwner' | Should -BeNullOrEmpty

        $again = Invoke-ProductMigration -TableName $table -Path $file -ErrorAction Stop
        $again.State | Should -Be 'Completed'
        $again.WrittenThisRun | Should -Be 0
        $again.RunId | Should -Be $first.RunId
        $item = Get-StatusItem $table 'Product'
        $item.State.S | Should -Be 'Completed'
        Get-Attribute $item 'LeaseOwner' | Should -BeNullOrEmpty -Because 'the no-op run released its lease too'

        Add-Content -Path $file -Value (New-ProductLines -Count 5 -Seed 22 -Start 60)
        $more = Invoke-ProductMigration -TableName $table -Path $file -ErrorAction Stop
        $more.WrittenThisRun | Should -Be 5
        $more.Written | Should -Be 65
        Get-EntityCount $table 'PRODUCT' | Should -Be 65
        Get-Attribute (Get-StatusItem $table 'Product') 'LeaseOwner' | Should -BeNullOrEmpty

        Remove-MigrationStatus -TableName $table -Entity Product -Confirm:$false -ErrorAction Stop
        Get-StatusItem $table 'Product' | Should -BeNullOrEmpty
    }

    It '-WhatIf takes no lease' {
        $w = Invoke-ProductMigration -TableName $table -Path $file -WhatIf
        $w.WhatIf | Should -BeTrue
        Get-StatusItem $table 'Product' | Should -BeNullOrEmpty
    }
}

Describe 'A live lease left by another host' -Tag Integration {
    BeforeAll {
        $table = New-MigrationTable
        $expires = [DateTime]::UtcNow.AddMinutes(10).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", [cultureinfo]::InvariantCulture)
        $item = @{
            PK = @{ S = 'MIGRATION#PRODUCT' }; SK = @{ S = 'STATUS' }; entityType = @{ S = 'MIGRATION_STATUS' }; Entity = @{ S = 'Product' }
            RunId = @{ S = 'otherrun0001' }; State = @{ S = 'Running' }; Source = @{ S = 'mongodb://elsewhere/shop.products' }
            Written = @{ N = '100' }; Rejected = @{ N = '0' }; SourceCount = @{ N = '500' }; Checkpoint = @{ S = 'oid:ffffffff0000000000000063' }
            StartedAt = @{ S = '2024-05-01T10:00:00.000Z' }; UpdatedAt = @{ S = '2024-05-01T10:00:05.000Z' }; ItemsPerSecond = @{ N = '0' }
            LeaseOwner = @{ S = 'token-of-the-other-run' }; LeaseHost = @{ S = 'ops-laptop-7' }; LeasePid = @{ N = '4242' }; LeaseSeconds = @{ N = '60' }
            LeaseExpiresAt = @{ S = $expires }
        } | ConvertTo-Json -Compress -Depth 5
        $itemFile = Join-Path ([System.IO.Path]::GetTempPath()) "lease-item-$([guid]::NewGuid().ToString('N')).json"
        Set-Content -Path $itemFile -Value $item; $script:files.Add($itemFile)
        $null = Invoke-AwsCli dynamodb put-item --table-name $table --item "file://$itemFile"
    }

    It 'stops before reading the source: a MongoDB URI nobody listens on gives MigrationAlreadyRunning, not a connection error' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $e = try { Invoke-ProductMigration -TableName $table -MongoUri "mongodb://127.0.0.1:$port/shop" -ErrorAction Stop; $null } catch { $_ }
        $e.FullyQualifiedErrorId | Should -BeLike 'MigrationAlreadyRunning*'
        "$e" | Should -Match 'otherrun0001'
        "$e" | Should -Match 'ops-laptop-7'
        "$e" | Should -Match 'PID 4242'
        "$e" | Should -Match ([regex]::Escape($expires))
        $e.ErrorDetails.RecommendedAction | Should -Match 'lasts 60 s'
        $after = Get-StatusItem $table 'Product'
        $after.RunId.S | Should -Be 'otherrun0001'
        $after.LeaseOwner.S | Should -Be 'token-of-the-other-run'
        $after.Checkpoint.S | Should -Be 'oid:ffffffff0000000000000063'
        $after.UpdatedAt.S | Should -Not -BeNullOrEmpty
    }

    It '-WhatIf warns about the running migration and writes nothing' {
        $file = Write-Lines (New-ProductLines -Count 3 -Seed 23); $script:files.Add($file)
        $out = Invoke-ProductMigration -TableName $table -Path $file -Restart -WhatIf 3>&1 # -Restart: the fake checkpoint is a MongoDB one
        ($out | Where-Object { $_ -is [System.Management.Automation.WarningRecord] -and "$_" -match 'already running' }) | Should -Not -BeNullOrEmpty
        (Get-StatusItem $table 'Product').LeaseOwner.S | Should -Be 'token-of-the-other-run'
    }

    It 'Remove-MigrationStatus -Force deletes it anyway' {
        $e = try { Remove-MigrationStatus -TableName $table -Entity Product -Confirm:$false -ErrorAction Stop; $null } catch { $_ }
        $e.FullyQualifiedErrorId | Should -BeLike 'MigrationAlreadyRunning*'
        $e.CategoryInfo.Category | Should -Be 'ResourceBusy'
        Get-StatusItem $table 'Product' | Should -Not -BeNullOrEmpty
        Remove-MigrationStatus -TableName $table -Entity Product -Force -Confirm:$false -ErrorAction Stop
        Get-StatusItem $table 'Product' | Should -BeNullOrEmpty
    }
}
