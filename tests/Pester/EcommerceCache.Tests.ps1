BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../TestServices.psm1') -Force
    Import-EcommerceAws
    $script:redis = $env:ECOM_TEST_REDIS_URL
    function Get-CommandCalls([string] $Name) {
        $line = (Invoke-Redis INFO commandstats) | Where-Object { $_ -like "cmdstat_${Name}:*" }
        if ($line -and $line -match '^cmdstat_\w+:calls=(\d+)') { [long]$Matches[1] } else { 0L }
    }
}

Describe 'Clear-EcommerceCache' -Tag Integration {
    BeforeEach {
        $script:prefix = "$(New-TestName 'clr'):"
        $lines = @(1..1200 | ForEach-Object { "SET ${prefix}product:p$_ x" }) + @("SET ${prefix}products:Electronics []", "SET ${prefix}products:all []", "SET ${prefix}session:keep me")
        $lines | & redis-cli -u $redis | Out-Null
    }
    AfterEach {
        $left = & redis-cli -u $redis --scan --pattern "$prefix*"
        if ($left) { $left | ForEach-Object { "UNLINK $_" } | & redis-cli -u $redis | Out-Null }
    }

    It 'deletes the product keys in batches with SCAN + UNLINK (never KEYS) and counts them' {
        $keysBefore = Get-CommandCalls keys
        $scanBefore = Get-CommandCalls scan
        $unlinkBefore = Get-CommandCalls unlink
        $result = Clear-EcommerceCache -RedisUrl $redis -KeyPrefix $prefix -Confirm:$false
        $result | Should -BeOfType ([EcommerceAws.Output.CacheOperationResult])
        $result.KeysDeleted | Should -Be 1202
        $result.Operation | Should -Be 'Clear'
        @(& redis-cli -u $redis --scan --pattern "${prefix}product*").Count | Should -Be 0
        Invoke-Redis EXISTS "${prefix}session:keep" | Should -Be 1 -Because 'keys outside the product scheme stay'
        (Get-CommandCalls keys) | Should -Be $keysBefore
        (Get-CommandCalls scan) | Should -BeGreaterThan $scanBefore
        ((Get-CommandCalls unlink) - $unlinkBefore) | Should -BeGreaterOrEqual 3 -Because '1202 keys in batches of 500'
    }

    It 'forgets the table recorded for the prefix with the default patterns, keeps it with -Pattern' {
        Invoke-Redis SET "${prefix}ecommerceaws:table" 'shop-a' | Out-Null
        Clear-EcommerceCache -RedisUrl $redis -KeyPrefix $prefix -Pattern 'products:*' -Confirm:$false | Out-Null
        Invoke-Redis GET "${prefix}ecommerceaws:table" | Should -Be 'shop-a'
        Clear-EcommerceCache -RedisUrl $redis -KeyPrefix $prefix -Confirm:$false | Out-Null
        Invoke-Redis EXISTS "${prefix}ecommerceaws:table" | Should -Be 0
    }

    It '-Pattern narrows what goes' {
        $result = Clear-EcommerceCache -RedisUrl $redis -KeyPrefix $prefix -Pattern 'products:*' -Confirm:$false
        $result.KeysDeleted | Should -Be 2
        Invoke-Redis EXISTS "${prefix}product:p1" | Should -Be 1
    }

    It '-WhatIf lists the keys that would go and deletes nothing' {
        # What-if messages go to the host, so read them from a transcript
        $log = Join-Path $TestDrive 'whatif.txt'
        Start-Transcript -Path $log | Out-Null
        try { Clear-EcommerceCache -RedisUrl $redis -KeyPrefix $prefix -Pattern 'products:*' -WhatIf } finally { Stop-Transcript | Out-Null }
        $text = Get-Content -Raw $log
        $text | Should -Match ([regex]::Escape("${prefix}products:Electronics"))
        $text | Should -Match ([regex]::Escape("${prefix}products:all"))
        $text | Should -Match 'Delete 2 keys'
        Invoke-Redis EXISTS "${prefix}products:all" | Should -Be 1
    }

    It 'refuses a non-Redis URL with InvalidRedisUrl' {
        Get-ErrorId { Clear-EcommerceCache -RedisUrl 'http://127.0.0.1:6379' -Confirm:$false } | Should -BeLike 'InvalidRedisUrl,*'
    }

    It 'binds -RedisUrl by property name' {
        $result = [pscustomobject]@{ RedisUrl = $redis } | Clear-EcommerceCache -KeyPrefix $prefix -Pattern 'session:*' -Confirm:$false
        $result.KeysDeleted | Should -Be 1
    }
}

Describe 'Initialize-EcommerceCache' -Tag Integration {
    BeforeAll {
        $script:table = New-TestName 'warm'
        New-EcommerceTable -TableName $table -Confirm:$false | Out-Null
        $script:prefix = "$(New-TestName 'warm'):"
        $script:products = foreach ($c in 'Electronics', 'Clothing', 'Home & Kitchen', 'Épicerie') {
            1..3 | ForEach-Object { New-EcommerceProduct -TableName $table -NameEn "$c item $_" -Price (1000 * $_) -Category $c -Confirm:$false }
        }
    }
    AfterAll {
        Remove-EcommerceTable -TableName $table -Force -Confirm:$false -ErrorAction SilentlyContinue
        $left = & redis-cli -u $redis --scan --pattern "$prefix*"
        if ($left) { $left | ForEach-Object { "UNLINK $_" } | & redis-cli -u $redis | Out-Null }
    }

    It 'a mistyped table is TableNotFound naming it, not a DynamoDB ResourceNotFoundException' {
        $missing = New-TestName 'nosuchtable'
        $record = $null
        try { Initialize-EcommerceCache -TableName $missing -RedisUrl $redis -KeyPrefix $prefix -Confirm:$false -ErrorAction Stop } catch { $record = $_ }
        $record.FullyQualifiedErrorId | Should -BeLike 'TableNotFound,*'
        $record.TargetObject | Should -Be $missing
        $record.ErrorDetails.RecommendedAction | Should -Match 'Get-EcommerceTable'
        # ...and the mistyped name did not claim the key prefix for itself.
        Invoke-Redis EXISTS "${prefix}ecommerceaws:table" | Should -Be '0'
    }

    It 'writes every product key (TTL 3600) and list key (TTL 1800)' {
        $result = [pscustomobject]@{ TableName = $table; RedisUrl = $redis } | Initialize-EcommerceCache -KeyPrefix $prefix -Confirm:$false
        $result.Products | Should -Be 12
        $result.Categories | Should -Be 4
        $result.KeysWritten | Should -Be (12 + 4 + 1)
        foreach ($p in $products) {
            $ttl = [int](Invoke-Redis TTL "${prefix}product:$($p.Id)")
            $ttl | Should -BeGreaterThan 3500
            $ttl | Should -BeLessOrEqual 3600
        }
        [int](Invoke-Redis TTL "${prefix}products:Épicerie") | Should -BeGreaterThan 1700
        [int](Invoke-Redis TTL "${prefix}products:all") | Should -BeLessOrEqual 1800
        ((Invoke-Redis GET "${prefix}products:all") | ConvertFrom-Json).id | Sort-Object | Should -Be ($products.Id | Sort-Object)
        ((Invoke-Redis GET "${prefix}products:Clothing") | ConvertFrom-Json).nameEn | Should -Contain 'Clothing item 2'
    }

    It 'then Get-EcommerceProduct is served from the cache' {
        (Get-EcommerceProduct -TableName $table -Id $products[0].Id -RedisUrl $redis -KeyPrefix $prefix).FromCache | Should -BeTrue
        $list = Get-EcommerceProduct -TableName $table -Category 'Épicerie' -RedisUrl $redis -KeyPrefix $prefix
        @($list).Count | Should -Be 3
        $list[0].FromCache | Should -BeTrue
    }

    It 'records the table and refuses to warm the same prefix from another table, writing nothing' {
        Invoke-Redis GET "${prefix}ecommerceaws:table" | Should -Be $table
        $before = @(& redis-cli -u $redis --scan --pattern "$prefix*").Count
        $err = try { Initialize-EcommerceCache -TableName 'shop-other' -RedisUrl $redis -KeyPrefix $prefix -Confirm:$false; $null } catch { $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'CacheServesOtherTable*'
        $err.Exception.Message | Should -Match "serves table '$([regex]::Escape($table))'.*not 'shop-other'"
        @(& redis-cli -u $redis --scan --pattern "$prefix*").Count | Should -Be $before
    }

    It '-WhatIf writes nothing' {
        $other = "$(New-TestName 'none'):"
        Initialize-EcommerceCache -TableName $table -RedisUrl $redis -KeyPrefix $other -WhatIf | Should -BeNullOrEmpty
        @(& redis-cli -u $redis --scan --pattern "$other*").Count | Should -Be 0
    }
}

Describe 'Redis with an auth token' -Tag Integration {
    BeforeAll {
        $script:token = 'Tok3n-' + [guid]::NewGuid().ToString('N')
        $script:private = Start-RedisServer -LogDirectory (Join-Path $TestDrive 'redis') -RequirePass $token
        $script:url = $private.Url
        $script:secure = ConvertTo-SecureString $token -AsPlainText -Force
        & redis-cli -p $private.Port -a $token --no-auth-warning SET product:auth1 x | Out-Null
    }
    AfterAll { $private | Stop-TestService }

    It 'works with -AuthToken as a SecureString' {
        (Clear-EcommerceCache -RedisUrl $url -AuthToken $secure -Confirm:$false).KeysDeleted | Should -Be 1
    }

    It 'without the token fails with CacheAuthenticationFailed' {
        Get-ErrorId { Clear-EcommerceCache -RedisUrl $url -Confirm:$false } | Should -BeLike 'CacheAuthenticationFailed,*'
    }

    It 'never prints the token, in any stream, on success or failure' {
        $withToken = "redis://:$token@127.0.0.1:$($private.Port)"
        $log = Join-Path $TestDrive 'token.txt'
        Start-Transcript -Path $log | Out-Null
        $all = & {
            Clear-EcommerceCache -RedisUrl $withToken -Confirm:$false -Verbose
            try { Clear-EcommerceCache -RedisUrl $url -AuthToken (ConvertTo-SecureString 'wrong' -AsPlainText -Force) -Confirm:$false } catch { $_; $_.Exception.ToString() }
            try { Clear-EcommerceCache -RedisUrl $withToken.Replace('127.0.0.1', '127.0.0.2').Replace(":$($private.Port)", ':9') -Confirm:$false } catch { $_; $_.Exception.ToString() }
            Clear-EcommerceCache -RedisUrl $withToken -WhatIf
            try { Get-EcommerceProduct -TableName 'no-such-table' -Id 'x1' -RedisUrl "redis://:$token@127.0.0.1:9" -Verbose } catch { $_ }
        } *>&1 | Out-String
        Stop-Transcript | Out-Null
        $all += Get-Content -Raw $log
        $all | Should -Not -BeNullOrEmpty
        $all | Should -Match ([regex]::Escape('redis://:****@127.0.0.1'))
        $all | Should -Not -Match $token
    }
}
