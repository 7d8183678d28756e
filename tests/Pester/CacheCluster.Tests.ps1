BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-EcommerceAws
    $script:created = [System.Collections.Generic.List[string]]::new()
    function New-CacheId([string] $Prefix = 'cache') { $n = New-TestName $Prefix; $script:created.Add($n); $n }
    function Get-CliCacheCluster([string] $Id) {
        if (Test-AwsCli elasticache describe-cache-clusters --cache-cluster-id $Id) {
            (Invoke-AwsCli elasticache describe-cache-clusters --cache-cluster-id $Id --show-cache-node-info).CacheClusters[0]
        }
    }
    function Get-CliReplicationGroup([string] $Id) {
        if (Test-AwsCli elasticache describe-replication-groups --replication-group-id $Id) {
            (Invoke-AwsCli elasticache describe-replication-groups --replication-group-id $Id).ReplicationGroups[0]
        }
    }
}

AfterAll {
    foreach ($id in $script:created) {
        # ids that were never created (WhatIf, refused input) stop with CacheClusterNotFound: nothing to clean
        try { Remove-CacheCluster -CacheClusterId $id -Confirm:$false -NoWait -WarningAction SilentlyContinue } catch { }
    }
}

Describe 'New-CacheCluster' -Tag Integration {
    Context 'SingleNode (default, the guide''s create-cache-cluster)' {
        BeforeAll {
            $id = New-CacheId
            $info = New-CacheCluster -CacheClusterId $id -Tag @{ Project = 'shop' } -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue
            $cli = Get-CliCacheCluster $id
        }

        It 'returns a typed CacheClusterInfo for an available Redis node' {
            $info | Should -BeOfType ([EcommerceAws.Output.CacheClusterInfo])
            $info.CacheClusterId | Should -Be $id
            $info.Mode | Should -Be 'SingleNode'
            $info.Engine | Should -Be 'redis'
            $info.NodeType | Should -Be 'cache.t3.micro'
            $info.Status | Should -Be 'available'
            $info.TransitEncryption | Should -BeFalse
            $info.Region | Should -Be 'us-east-1'
            $info.AlreadyExisted | Should -BeFalse
            $info.Arn | Should -Be $cli.ARN
        }

        It 'matches what was asked (describe-cache-clusters)' {
            $cli.CacheClusterId | Should -Be $id
            $cli.Engine | Should -Be 'redis'
            $cli.CacheNodeType | Should -Be 'cache.t3.micro'
            $cli.NumCacheNodes | Should -Be 1
            $cli.CacheClusterStatus | Should -Be 'available'
        }

        It 'warns that the endpoint is reachable only from inside the VPC' {
            ($warnings -join "`n") | Should -Match 'only from inside their VPC'
            ($warnings -join "`n") | Should -Match 'Railway'
        }

        It 'leaves RedisUrl empty and says why when ElastiCache reports no endpoint (moto never does)' {
            $cli.PSObject.Properties['CacheNodes'] | Should -BeNullOrEmpty   # the stand-in really reports none
            $info.Endpoint | Should -BeNullOrEmpty
            $info.RedisUrl | Should -Be ''
            ($warnings -join "`n") | Should -Match 'no endpoint.*RedisUrl is left empty'
        }

        It 'carries the user tags and the managed-by tag' {
            $tags = (Invoke-AwsCli elasticache list-tags-for-resource --resource-name $info.Arn).TagList
            ($tags | Where-Object Key -eq 'Project').Value | Should -Be 'shop'
            ($tags | Where-Object Key -eq 'ManagedBy').Value | Should -Be 'EcommerceAws'
        }

        It 'is idempotent: a second call returns the same cluster and says it already existed' {
            $again = New-CacheCluster -CacheClusterId $id -Confirm:$false -WarningAction SilentlyContinue
            $again.Arn | Should -Be $info.Arn
            $again.AlreadyExisted | Should -BeTrue
            @((Invoke-AwsCli elasticache describe-cache-clusters).CacheClusters | Where-Object CacheClusterId -eq $id).Count | Should -Be 1
        }

        It 'refuses to reuse the id in another mode' {
            Get-ErrorId { New-CacheCluster -CacheClusterId $id -Mode ReplicationGroup -Confirm:$false -WarningAction SilentlyContinue } |
                Should -BeLike 'CacheClusterModeMismatch,*'
            Get-CliReplicationGroup $id | Should -BeNullOrEmpty
        }

        It 'binds by property name into Get-CacheCluster' {
            $got = $info | Get-CacheCluster -WarningAction SilentlyContinue
            $got.CacheClusterId | Should -Be $id
            $got.Mode | Should -Be 'SingleNode'
        }
    }

    Context 'Valkey' {
        # CreateCacheCluster documents Engine as "memcached | redis" (moto also takes valkey; AWS does not).
        BeforeAll {
            $script:valkeyLog = Join-Path ([System.IO.Path]::GetTempPath()) "valkey-$([guid]::NewGuid().ToString('N')).log"
            $env:ECOM_AWS_REQUEST_LOG = $valkeyLog
            try {
                $id = New-CacheId 'valkey'
                $info = New-CacheCluster -CacheClusterId $id -Engine Valkey -NodeType cache.t4g.small -Confirm:$false -WarningAction SilentlyContinue
            }
            finally { Remove-Item Env:ECOM_AWS_REQUEST_LOG }
            $sent = @(Read-AwsRequestLog $valkeyLog | Where-Object { $_.PSObject.Properties['action'] -and $_.action -like 'Create*' })
        }
        AfterAll { Remove-Item $valkeyLog -ErrorAction SilentlyContinue }

        It 'creates a single Valkey node as a replication group of one node, never through CreateCacheCluster' {
            $sent.action | Should -Be @('CreateReplicationGroup')
            $form = @{}
            foreach ($pair in $sent[0].body -split '&') { $k, $v = $pair -split '=', 2; $form[[uri]::UnescapeDataString($k)] = [uri]::UnescapeDataString($v) }
            $form['Engine'] | Should -Be 'valkey'
            $form['NumCacheClusters'] | Should -Be '1'
            $form['AutomaticFailoverEnabled'] | Should -Be 'false'
            $info.Engine | Should -Be 'valkey'
            $info.Mode | Should -Be 'ReplicationGroup'
            $info.NodeType | Should -Be 'cache.t4g.small'
            $group = Get-CliReplicationGroup $id
            @($group.MemberClusters).Count | Should -Be 1
            Get-CliCacheCluster $id | Should -BeNullOrEmpty -Because 'no standalone valkey cluster exists'
        }

        It 'passes the wire-shape referee, which knows the documented engine values' {
            $output = & python3 (Join-Path $PSScriptRoot '../Fixtures/wire_shape_check.py') aws-log $valkeyLog 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        }

        It 'converges when run again (the one-node group is found, no mode mismatch)' {
            $again = New-CacheCluster -CacheClusterId $id -Engine Valkey -NodeType cache.t4g.small -Confirm:$false -WarningAction SilentlyContinue
            $again.AlreadyExisted | Should -BeTrue
            $again.Mode | Should -Be 'ReplicationGroup'
        }

        It '-WhatIf says a one-node replication group will be created' {
            $transcript = Join-Path $TestDrive 'valkey-whatif.txt'
            Start-Transcript -Path $transcript | Out-Null
            try { New-CacheCluster -CacheClusterId (New-CacheId 'vkw') -Engine Valkey -WhatIf } finally { Stop-Transcript | Out-Null }
            Get-Content -Raw $transcript | Should -Match 'replication group of one'
        }
    }

    Context 'ids are lower-cased, as ElastiCache stores them' {
        It 'New/Get/Remove-CacheCluster with a mixed-case id all work on the lower-case id' {
            $id = New-CacheId 'case'
            $mixed = 'CaSe' + $id.Substring(4)
            $info = New-CacheCluster -CacheClusterId $mixed -Confirm:$false -WarningAction SilentlyContinue
            $info.CacheClusterId | Should -BeExactly $id
            (Get-CliCacheCluster $id).CacheClusterId | Should -BeExactly $id
            (Get-CacheCluster -CacheClusterId $mixed -WarningAction SilentlyContinue).CacheClusterId | Should -BeExactly $id
            Remove-CacheCluster -CacheClusterId $mixed -Confirm:$false -NoWait
            (Get-CliCacheCluster $id).CacheClusterStatus | Should -Be 'deleting'
        }
    }

    Context 'ReplicationGroup' {
        BeforeAll {
            $id = New-CacheId 'rg'
            $token = ConvertTo-SecureString 'Sup3r-Secret-Token-4242' -AsPlainText -Force
            $all = New-CacheCluster -CacheClusterId $id -Mode ReplicationGroup -ReplicaCount 2 -AuthToken $token -Confirm:$false -Verbose *>&1
            $info = $all | Where-Object { $_ -is [EcommerceAws.Output.CacheClusterInfo] }
            $group = Get-CliReplicationGroup $id
        }

        It 'returns the primary endpoint as a rediss:// URL without the token' {
            $info.Mode | Should -Be 'ReplicationGroup'
            $info.Status | Should -Be 'available'
            $info.TransitEncryption | Should -BeTrue
            $primary = $group.NodeGroups[0].PrimaryEndpoint
            $info.Endpoint | Should -Be "$($primary.Address):$($primary.Port)"
            $info.RedisUrl | Should -Be "rediss://$($primary.Address):$($primary.Port)"
            $info.RedisUrl | Should -Not -Match 'Secret'
        }

        It 'matches what was asked (describe-replication-groups)' {
            $group.Status | Should -Be 'available'
            $group.CacheNodeType | Should -Be 'cache.t3.micro'
            $group.AutomaticFailover | Should -Be 'enabled'
            $group.MultiAZ | Should -Be 'enabled'
            $group.TransitEncryptionEnabled | Should -BeTrue
            $group.AtRestEncryptionEnabled | Should -BeTrue
            $group.AuthTokenEnabled | Should -BeTrue
        }

        It 'never writes the AUTH token to any stream' {
            ($all | ForEach-Object { "$_" }) -join "`n" | Should -Not -Match 'Sup3r-Secret-Token-4242'
            ($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 0
        }

        It 'is idempotent' {
            $again = New-CacheCluster -CacheClusterId $id -Mode ReplicationGroup -Confirm:$false -WarningAction SilentlyContinue
            $again.AlreadyExisted | Should -BeTrue
            $again.Arn | Should -Be $group.ARN
            @((Invoke-AwsCli elasticache describe-replication-groups).ReplicationGroups | Where-Object ReplicationGroupId -eq $id).Count | Should -Be 1
        }

        It 'is found by Get-CacheCluster whichever mode it is' {
            (Get-CacheCluster -CacheClusterId $id -WarningAction SilentlyContinue).Mode | Should -Be 'ReplicationGroup'
        }

        It 'with 0 replicas has no automatic failover' {
            $single = New-CacheId 'rg0'
            New-CacheCluster -CacheClusterId $single -Mode ReplicationGroup -ReplicaCount 0 -Confirm:$false -WarningAction SilentlyContinue | Out-Null
            (Get-CliReplicationGroup $single).AutomaticFailover | Should -Be 'disabled'
        }
    }

    Context 'Serverless (moto answers 500 to every serverless call)' {
        It 'surfaces a clear error and creates nothing else' {
            $id = New-CacheId 'sls'
            $err = $null
            try { New-CacheCluster -CacheClusterId $id -Mode Serverless -Confirm:$false -WarningAction SilentlyContinue } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'Aws.HttpStatus500,*'
            $err.Exception.Message | Should -Match 'CreateServerlessCache failed'
            $err.Exception.Message | Should -Match 'serverless'
            $err.ErrorDetails.RecommendedAction | Should -Match '-Mode SingleNode'
            Get-CliCacheCluster $id | Should -BeNullOrEmpty
            Get-CliReplicationGroup $id | Should -BeNullOrEmpty
        }
    }

    Context '-WhatIf' {
        It 'creates nothing' {
            $id = New-CacheId 'whatif'
            New-CacheCluster -CacheClusterId $id -WhatIf | Should -BeNullOrEmpty
            New-CacheCluster -CacheClusterId $id -Mode ReplicationGroup -WhatIf | Should -BeNullOrEmpty
            Get-CliCacheCluster $id | Should -BeNullOrEmpty
            Get-CliReplicationGroup $id | Should -BeNullOrEmpty
        }
    }

    Context 'bad input is refused before any AWS call' {
        # the endpoint is unreachable: reaching AWS would give AwsEndpointUnreachable instead
        It 'refuses cluster id <Id> (<Rule>)' -ForEach @(
            @{ Id = '1cache'; Rule = 'does not start with a letter' }
            @{ Id = 'my--cache'; Rule = 'two consecutive hyphens' }
            @{ Id = 'my-cache-'; Rule = 'ends with a hyphen' }
            @{ Id = 'a' * 41; Rule = '41 characters' }
            @{ Id = 'my_cache'; Rule = "contains '_'" }
            @{ Id = 'my cache'; Rule = "contains ' '" }
        ) {
            $err = $null
            try { New-CacheCluster -CacheClusterId $Id -EndpointUrl 'http://127.0.0.1:9' -Confirm:$false } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'InvalidCacheClusterId,*'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.TargetObject | Should -Be $Id
            $err.Exception.Message | Should -Match ([regex]::Escape($Rule))
            $err.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        }

        It 'refuses <Case> with <ErrorId>' -ForEach @(
            @{ Case = 'a bad node type'; ErrorId = 'InvalidNodeType'; Call = { New-CacheCluster -CacheClusterId ok-id -NodeType 't3.micro' -EndpointUrl 'http://127.0.0.1:9' } }
            @{ Case = 'replicas without a replication group'; ErrorId = 'ReplicaCountNeedsReplicationGroup'; Call = { New-CacheCluster -CacheClusterId ok-id -ReplicaCount 2 -EndpointUrl 'http://127.0.0.1:9' } }
            @{ Case = '6 replicas'; ErrorId = 'InvalidReplicaCount'; Call = { New-CacheCluster -CacheClusterId ok-id -Mode ReplicationGroup -ReplicaCount 6 -EndpointUrl 'http://127.0.0.1:9' } }
            @{ Case = 'a token on a single node'; ErrorId = 'AuthTokenNeedsReplicationGroup'; Call = { New-CacheCluster -CacheClusterId ok-id -AuthToken (ConvertTo-SecureString 'abcdefghijklmnop' -AsPlainText -Force) -EndpointUrl 'http://127.0.0.1:9' } }
            @{ Case = 'a bad security group'; ErrorId = 'InvalidSecurityGroupId'; Call = { New-CacheCluster -CacheClusterId ok-id -SecurityGroupId 'default' -EndpointUrl 'http://127.0.0.1:9' } }
            @{ Case = 'a bad id on Get'; ErrorId = 'InvalidCacheClusterId'; Call = { Get-CacheCluster -CacheClusterId '-x' -EndpointUrl 'http://127.0.0.1:9' } }
            @{ Case = 'a bad id on Remove'; ErrorId = 'InvalidCacheClusterId'; Call = { Remove-CacheCluster -CacheClusterId 'x--y' -EndpointUrl 'http://127.0.0.1:9' -Confirm:$false -NoWait } }
        ) {
            $err = $null
            try { & $Call } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        }

        It 'refuses an AUTH token with <Case> (ElastiCache allows only letters, digits and eight symbols), without echoing it' -ForEach @(
            @{ Case = 'a percent sign'; Token = 'Abcdefgh12345678%x' }
            @{ Case = 'an at sign'; Token = 'Abcdefgh12345678@x' }
            @{ Case = 'a space'; Token = 'Abcdefgh 12345678x' }
            @{ Case = 'a non-ASCII letter'; Token = 'Abcdefgh12345678éx' }
            @{ Case = '129 characters'; Token = 'a' * 129 }
        ) {
            $err = $null
            try { New-CacheCluster -CacheClusterId ok-id -Mode ReplicationGroup -AuthToken (ConvertTo-SecureString $Token -AsPlainText -Force) -EndpointUrl 'http://127.0.0.1:9' -Confirm:$false } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'InvalidAuthToken,*'
            $err.Exception.Message | Should -Match '! & # \$ \^ < > -|16 to 128'
            "$err $($err.TargetObject) $($err.ErrorDetails.RecommendedAction)" | Should -Not -Match ([regex]::Escape($Token))
        }

        It 'accepts a token using every allowed special character' {
            $token = ConvertTo-SecureString 'Aa1!&#$^<>-Bb2!&#$^<>-' -AsPlainText -Force
            { New-CacheCluster -CacheClusterId ok-id -Mode ReplicationGroup -AuthToken $token -EndpointUrl 'http://127.0.0.1:9' -WhatIf } | Should -Not -Throw
        }

        It 'documents the token rule in the help' {
            (Get-Help New-CacheCluster -Parameter AuthToken).Description.Text | Should -Match '! & # \$ \^ < > -'
        }

        It 'refuses a short AUTH token without echoing it' {
            $err = $null
            try { New-CacheCluster -CacheClusterId ok-id -Mode ReplicationGroup -AuthToken (ConvertTo-SecureString 'short-Secret' -AsPlainText -Force) -EndpointUrl 'http://127.0.0.1:9' } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'InvalidAuthToken,*'
            "$err $($err.TargetObject) $($err.ErrorDetails.RecommendedAction)" | Should -Not -Match 'short-Secret'
        }
    }
}

Describe 'Get-CacheCluster' -Tag Integration {
    It 'reports a missing id as a non-terminating CacheClusterNotFound and still returns the others' {
        $id = New-CacheId 'get'
        New-CacheCluster -CacheClusterId $id -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        $found = Get-CacheCluster -CacheClusterId (New-TestName 'missing'), $id -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $found.CacheClusterId | Should -Be $id
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'CacheClusterNotFound,*'
    }
}

Describe 'Remove-CacheCluster' -Tag Integration {
    It '-WhatIf deletes nothing' {
        $id = New-CacheId 'rmwhatif'
        New-CacheCluster -CacheClusterId $id -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        Remove-CacheCluster -CacheClusterId $id -WhatIf
        (Get-CliCacheCluster $id).CacheClusterStatus | Should -Be 'available'
    }

    It 'deletes a single node, from the pipeline' {
        $id = New-CacheId 'rm'
        New-CacheCluster -CacheClusterId $id -Confirm:$false -WarningAction SilentlyContinue | Remove-CacheCluster -Confirm:$false -NoWait
        # moto keeps a deleted cluster in status 'deleting' for ever; AWS removes it after a few minutes
        (Get-CliCacheCluster $id).CacheClusterStatus | Should -Be 'deleting'
    }

    It 'deletes a replication group' {
        $id = New-CacheId 'rmrg'
        New-CacheCluster -CacheClusterId $id -Mode ReplicationGroup -ReplicaCount 0 -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        Remove-CacheCluster -CacheClusterId $id -Confirm:$false -NoWait
        (Get-CliReplicationGroup $id).Status | Should -Be 'deleting'
        Get-ErrorId { New-CacheCluster -CacheClusterId $id -Mode ReplicationGroup -Confirm:$false -WarningAction SilentlyContinue } | Should -BeLike 'CacheClusterDeleting,*'
    }

    It 'reports a missing id as CacheClusterNotFound' {
        Get-ErrorId { Remove-CacheCluster -CacheClusterId (New-TestName 'none') -Confirm:$false -NoWait } | Should -BeLike 'CacheClusterNotFound,*'
    }
    It 'waits until the cache is gone by default; -NoWait returns once the deletion is accepted (the wait convention)' {
        # moto keeps a deleted cluster 'deleting' for ever: the scripted proxy says CacheClusterNotFound on the first
        # look after the delete, as AWS does once the cluster is gone.
        $proxy = Start-AwsProxy
        try {
            $first = New-CacheId 'rmnw'
            New-CacheCluster -CacheClusterId $first -Confirm:$false -WarningAction SilentlyContinue | Out-Null
            Set-AwsProxyRule $proxy @()
            Remove-CacheCluster -CacheClusterId $first -EndpointUrl $proxy.Url -Confirm:$false -NoWait | Should -BeNullOrEmpty
            $noWait = @(Get-AwsProxyRequest $proxy)
            $deleteAt = [array]::IndexOf(@($noWait.op), 'DeleteCacheCluster')
            $deleteAt | Should -BeGreaterThan -1
            @($noWait | Select-Object -Skip ($deleteAt + 1)) | Should -BeNullOrEmpty -Because '-NoWait looks no more after the delete'

            $second = New-CacheId 'rmw'
            New-CacheCluster -CacheClusterId $second -Confirm:$false -WarningAction SilentlyContinue | Out-Null
            $looksBefore = @($noWait[0..$deleteAt] | Where-Object op -eq 'DescribeCacheClusters').Count
            Set-AwsProxyRule $proxy @(@{ match = 'DescribeCacheClusters'; skip = $looksBefore + 1; times = 1; status = 404; contentType = 'text/xml'
                    body = (New-AwsQueryError -Code CacheClusterNotFound -Message "CacheCluster $second not found.") })
            Remove-CacheCluster -CacheClusterId $second -EndpointUrl $proxy.Url -Confirm:$false -ProgressAction SilentlyContinue | Should -BeNullOrEmpty
            $waited = @(Get-AwsProxyRequest $proxy)
            $after = @($waited | Select-Object -Skip ([array]::IndexOf(@($waited.op), 'DeleteCacheCluster') + 1))
            @($after | Where-Object op -eq 'DescribeCacheClusters').Count | Should -Be 2 -Because 'it looked until the cluster was gone (deleting, then not found)'
            ($after | Select-Object -Last 1).rule | Should -Be 0
        }
        finally { Stop-AwsProxy $proxy }
    }
}
