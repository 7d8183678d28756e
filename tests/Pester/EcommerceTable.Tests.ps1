BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-EcommerceAws
    $script:created = [System.Collections.Generic.List[string]]::new()
    function New-Table([string] $Prefix = 'tbl') { $n = New-TestName $Prefix; $script:created.Add($n); $n }
}

AfterAll {
    foreach ($name in $script:created) {
        if (Test-AwsCli dynamodb describe-table --table-name $name) {
            Remove-EcommerceTable -TableName $name -Force -Confirm:$false -ErrorAction SilentlyContinue
        }
    }
}

Describe 'New-EcommerceTable' -Tag Integration {
    Context 'on-demand (default)' {
        BeforeAll {
            $name = New-Table
            $info = New-EcommerceTable -TableName $name -Tag @{ Project = 'shop' } -Confirm:$false
            $described = (Invoke-AwsCli dynamodb describe-table --table-name $name).Table
        }

        It 'returns a typed EcommerceTableInfo for an ACTIVE table' {
            $info | Should -BeOfType ([EcommerceAws.Output.EcommerceTableInfo])
            $info.TableName | Should -Be $name
            $info.Status | Should -Be 'ACTIVE'
            $info.BillingMode | Should -Be 'PAY_PER_REQUEST'
            $info.IndexNames | Should -Be @('GSI1')
            $info.PointInTimeRecovery | Should -BeTrue
            $info.DeletionProtection | Should -BeTrue
            $info.Region | Should -Be 'us-east-1'
            $info.Arn | Should -Be $described.TableArn
            $info.AlreadyExisted | Should -BeFalse
        }

        It 'really has the seed keys and GSI1 (checked with the AWS CLI)' {
            ($described.KeySchema | Where-Object KeyType -eq HASH).AttributeName | Should -Be 'PK'
            ($described.KeySchema | Where-Object KeyType -eq RANGE).AttributeName | Should -Be 'SK'
            $gsi = $described.GlobalSecondaryIndexes | Where-Object IndexName -eq 'GSI1'
            ($gsi.KeySchema | Where-Object KeyType -eq HASH).AttributeName | Should -Be 'GSI1PK'
            ($gsi.KeySchema | Where-Object KeyType -eq RANGE).AttributeName | Should -Be 'GSI1SK'
            $gsi.Projection.ProjectionType | Should -Be 'ALL'
            foreach ($a in $described.AttributeDefinitions) { $a.AttributeType | Should -Be 'S' }
            $described.BillingModeSummary.BillingMode | Should -Be 'PAY_PER_REQUEST'
            $described.SSEDescription.Status | Should -Be 'ENABLED'
        }

        It 'has deletion protection on: the AWS CLI cannot delete it' {
            # aws 2.9 does not model DeletionProtectionEnabled, so check the behaviour instead
            Test-AwsCli dynamodb delete-table --table-name $name | Should -BeFalse
            Test-AwsCli dynamodb describe-table --table-name $name | Should -BeTrue
        }

        It 'has point-in-time recovery on (describe-continuous-backups)' {
            $backups = Invoke-AwsCli dynamodb describe-continuous-backups --table-name $name
            $backups.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus | Should -Be 'ENABLED'
        }

        It 'carries the user tags and the managed-by tag' {
            $tags = (Invoke-AwsCli dynamodb list-tags-of-resource --resource-arn $info.Arn).Tags
            ($tags | Where-Object Key -eq 'Project').Value | Should -Be 'shop'
            ($tags | Where-Object Key -eq 'ManagedBy').Value | Should -Be 'EcommerceAws'
        }

        It 'is idempotent: a second call returns the same table and says it already existed' {
            $again = New-EcommerceTable -TableName $name -Confirm:$false
            $again.Arn | Should -Be $info.Arn
            $again.AlreadyExisted | Should -BeTrue
            @((Invoke-AwsCli dynamodb list-tables).TableNames | Where-Object { $_ -eq $name }).Count | Should -Be 1
        }

        It 'binds by property name into Get-EcommerceTable' {
            ($info | Get-EcommerceTable).TableName | Should -Be $name
        }
    }

    Context 'provisioned' {
        It 'applies the capacities to the table and GSI1' {
            $name = New-Table
            $info = New-EcommerceTable -TableName $name -BillingMode Provisioned -ReadCapacity 5 -WriteCapacity 7 -TimeToLiveAttribute expiresAt -Confirm:$false
            $info.BillingMode | Should -Be 'PROVISIONED'
            $info.ReadCapacity | Should -Be 5
            $info.WriteCapacity | Should -Be 7
            $info.TimeToLiveAttribute | Should -Be 'expiresAt'
            $described = (Invoke-AwsCli dynamodb describe-table --table-name $name).Table
            $described.ProvisionedThroughput.ReadCapacityUnits | Should -Be 5
            $described.ProvisionedThroughput.WriteCapacityUnits | Should -Be 7
            $gsi = $described.GlobalSecondaryIndexes | Where-Object IndexName -eq 'GSI1'
            $gsi.ProvisionedThroughput.WriteCapacityUnits | Should -Be 7
            (Invoke-AwsCli dynamodb describe-time-to-live --table-name $name).TimeToLiveDescription.AttributeName | Should -Be 'expiresAt'
        }
    }

    Context 'an existing table with another schema' {
        It 'stops with TableSchemaMismatch naming the difference' {
            $name = New-Table
            Invoke-AwsCli dynamodb create-table --table-name $name --attribute-definitions 'AttributeName=id,AttributeType=S' `
                --key-schema 'AttributeName=id,KeyType=HASH' --billing-mode PAY_PER_REQUEST | Out-Null
            $err = $null
            try { New-EcommerceTable -TableName $name -Confirm:$false } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'TableSchemaMismatch,*'
            $err.Exception.Message | Should -Match "partition key is 'id'"
            $err.Exception.Message | Should -Match 'GSI1'
        }
    }

    Context '-WhatIf' {
        It 'creates nothing' {
            $name = New-Table
            New-EcommerceTable -TableName $name -WhatIf | Should -BeNullOrEmpty
            Test-AwsCli dynamodb describe-table --table-name $name | Should -BeFalse
        }
    }

    Context 'bad input is refused before any AWS call' {
        It 'refuses <Case> with <ErrorId>' -ForEach @(
            @{ Case = 'a too short name'; ErrorId = 'InvalidTableName'; Call = { New-EcommerceTable -TableName 'ab' -EndpointUrl 'http://127.0.0.1:9' } }
            @{ Case = 'a name with a space'; ErrorId = 'InvalidTableName'; Call = { New-EcommerceTable -TableName 'my shop' -EndpointUrl 'http://127.0.0.1:9' } }
            @{ Case = 'capacity 0'; ErrorId = 'InvalidCapacity'; Call = { New-EcommerceTable -TableName 'valid-name' -BillingMode Provisioned -WriteCapacity 0 -EndpointUrl 'http://127.0.0.1:9' } }
            @{ Case = 'a tag AWS would refuse'; ErrorId = 'InvalidTag'; Call = { New-EcommerceTable -TableName 'valid-name' -Tag @{ 'cost#center' = 'x' } -EndpointUrl 'http://127.0.0.1:9' } }
            @{ Case = 'a reserved aws: tag'; ErrorId = 'InvalidTag'; Call = { New-EcommerceTable -TableName 'valid-name' -Tag @{ 'aws:owner' = 'x' } -EndpointUrl 'http://127.0.0.1:9' } }
            @{ Case = 'capacities with on-demand'; ErrorId = 'CapacityWithOnDemand'; Call = { New-EcommerceTable -TableName 'valid-name' -ReadCapacity 5 -EndpointUrl 'http://127.0.0.1:9' } }
        ) {
            # the endpoint is unreachable: reaching AWS would give AwsEndpointUnreachable instead
            $err = $null
            try { & $Call } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        }

        It 'names the offending value' {
            $err = $null
            try { New-EcommerceTable -TableName 'bad name!' -Confirm:$false } catch { $err = $_ }
            $err.TargetObject | Should -Be 'bad name!'
            $err.Exception.Message | Should -Match 'bad name!'
        }
    }
}

Describe 'Get-EcommerceTable' -Tag Integration {
    It 'finds tables by wildcard and reports a missing exact name as TableNotFound' {
        $prefix = New-TestName 'wild'
        $a = "$prefix-a"; $b = "$prefix-b"; $script:created.Add($a); $script:created.Add($b)
        New-EcommerceTable -TableName $a -Confirm:$false | Out-Null
        New-EcommerceTable -TableName $b -Confirm:$false | Out-Null
        (Get-EcommerceTable -TableName "$prefix-*").TableName | Sort-Object | Should -Be @($a, $b)
        Get-EcommerceTable -TableName "$prefix-nothing*" | Should -BeNullOrEmpty
        Get-EcommerceTable -TableName "$prefix-missing" -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'TableNotFound,*'
    }
}

Describe 'Remove-EcommerceTable' -Tag Integration {
    It 'refuses a protected table without -Force and leaves it in place' {
        $name = New-Table
        New-EcommerceTable -TableName $name -Confirm:$false | Out-Null
        Get-ErrorId { Remove-EcommerceTable -TableName $name -Confirm:$false } | Should -BeLike 'TableDeletionProtected,*'
        Test-AwsCli dynamodb describe-table --table-name $name | Should -BeTrue
    }

    It '-WhatIf deletes nothing' {
        $name = New-Table
        New-EcommerceTable -TableName $name -Confirm:$false | Out-Null
        Remove-EcommerceTable -TableName $name -Force -WhatIf
        Test-AwsCli dynamodb describe-table --table-name $name | Should -BeTrue
    }

    It 'with -Force lifts deletion protection and deletes it, from the pipeline' {
        $name = New-Table
        New-EcommerceTable -TableName $name -Confirm:$false | Remove-EcommerceTable -Force -Confirm:$false
        Test-AwsCli dynamodb describe-table --table-name $name | Should -BeFalse
    }

    It 'reports a missing table as TableNotFound' {
        Get-ErrorId { Remove-EcommerceTable -TableName (New-TestName 'none') -Force -Confirm:$false } | Should -BeLike 'TableNotFound,*'
    }
}

Describe 'Point-in-time recovery on a table that just became ACTIVE' -Tag Integration {
    # Real DynamoDB answers ContinuousBackupsUnavailableException for a while after CreateTable; moto never does,
    # so the scripted proxy says it, over real sockets.
    BeforeAll {
        $script:proxy = Start-AwsProxy
        $script:suiteBase = $env:ECOM_AWS_RETRY_BASE_MS
        $env:ECOM_AWS_RETRY_BASE_MS = '10'   # test-only: 5 s pauses become 50 ms
        $script:unavailable = New-DynamoDbError -Code ContinuousBackupsUnavailableException -Message 'Backups are being enabled for the table: x. Please retry later'
    }
    AfterAll {
        Stop-AwsProxy $proxy
        if ($suiteBase) { $env:ECOM_AWS_RETRY_BASE_MS = $suiteBase } else { Remove-Item Env:ECOM_AWS_RETRY_BASE_MS -ErrorAction SilentlyContinue }
    }

    It 'waits ContinuousBackupsUnavailableException out with progress until PITR is ENABLED' {
        $name = New-Table 'pitr'
        Set-AwsProxyRule $proxy @(@{ match = 'UpdateContinuousBackups'; times = 3; status = 400; contentType = 'application/x-amz-json-1.0'; body = $unavailable })
        $info = New-EcommerceTable -TableName $name -EndpointUrl $proxy.Url -Confirm:$false
        $info.PointInTimeRecovery | Should -BeTrue
        @(Get-AwsProxyRequest $proxy | Where-Object op -eq 'UpdateContinuousBackups').Count | Should -Be 4
        (Invoke-AwsCli dynamodb describe-continuous-backups --table-name $name).ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus | Should -Be 'ENABLED'
    }

    It 'reports each wait on the progress stream and in verbose' {
        $name = New-Table 'pitrp'
        Set-AwsProxyRule $proxy @(@{ match = 'UpdateContinuousBackups'; times = 2; status = 400; contentType = 'application/x-amz-json-1.0'; body = $unavailable })
        $out = New-EcommerceTable -TableName $name -EndpointUrl $proxy.Url -Confirm:$false -Verbose 4>&1
        $verbose = @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
        @($verbose | Where-Object { $_ -match 'backups not available yet.*trying again' }).Count | Should -Be 2
    }

    It 'with -NoWait leaves PITR for the next run, with a warning, and the next run enables it' {
        $name = New-Table 'pitrn'
        Set-AwsProxyRule $proxy @(@{ match = 'UpdateContinuousBackups'; times = 1; status = 400; contentType = 'application/x-amz-json-1.0'; body = $unavailable })
        $info = New-EcommerceTable -TableName $name -EndpointUrl $proxy.Url -NoWait -Confirm:$false -WarningVariable warns -WarningAction SilentlyContinue
        $info.PointInTimeRecovery | Should -BeFalse
        ($warns -join "`n") | Should -Match 'Run New-EcommerceTable again'
        (New-EcommerceTable -TableName $name -EndpointUrl $proxy.Url -Confirm:$false).PointInTimeRecovery | Should -BeTrue
    }

    It 'gives up with PointInTimeRecoveryTimeout when backups never become available' {
        $name = New-Table 'pitrt'
        Set-AwsProxyRule $proxy @(@{ match = 'UpdateContinuousBackups'; times = 10000; status = 400; contentType = 'application/x-amz-json-1.0'; body = $unavailable })
        $err = try { New-EcommerceTable -TableName $name -EndpointUrl $proxy.Url -Confirm:$false; $null } catch { $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'PointInTimeRecoveryTimeout*'
        $err.Exception.Message | Should -Match 'The table itself is ready'
    }
}
