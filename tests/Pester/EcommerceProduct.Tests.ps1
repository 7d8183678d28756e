BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-EcommerceAws
    $script:table = New-TestName 'products'
    New-EcommerceTable -TableName $table -Confirm:$false | Out-Null
    $script:redis = $env:ECOM_TEST_REDIS_URL
    $script:prefix = "$(New-TestName 'pfx'):"   # keeps this file's keys apart from other suites on the shared redis

    function New-Product([string] $Category = 'Electronics', [string] $Name = "Phone $(Get-Random)") {
        New-EcommerceProduct -TableName $table -NameEn $Name -NameFr "Téléphone" -Price 125000 -Category $Category -Stock 3 -Images '/uploads/a.jpg' -Confirm:$false
    }
}

AfterAll {
    Remove-EcommerceTable -TableName $table -Force -Confirm:$false -ErrorAction SilentlyContinue
    $keys = & redis-cli -u $env:ECOM_TEST_REDIS_URL --scan --pattern "$prefix*"
    if ($keys) { & redis-cli -u $env:ECOM_TEST_REDIS_URL UNLINK @keys | Out-Null }
}

Describe 'New-EcommerceProduct' -Tag Integration {
    BeforeAll { $product = New-Product -Category 'Electronics' -Name 'Tecno Spark 20' }

    It 'returns a typed EcommerceProduct with a sortable 24-hex id' {
        $product | Should -BeOfType ([EcommerceAws.Output.EcommerceProduct])
        $product.Id | Should -Match '^[0-9a-f]{24}$'
        $product.NameEn | Should -Be 'Tecno Spark 20'
        $product.Price | Should -Be 125000
        $product.Stock | Should -Be 3
        $product.CreatedAt | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$'
    }

    It 'writes the docs/DESIGN.md §4 item (checked with the AWS CLI)' {
        $item = Get-ProductItem $table $product.Id
        $item.PK.S | Should -Be "PRODUCT#$($product.Id)"
        $item.SK.S | Should -Be "PRODUCT#$($product.Id)"
        $item.GSI1PK.S | Should -Be 'CATEGORY#Electronics'
        $item.GSI1SK.S | Should -Be 'PRODUCT#Tecno Spark 20'
        $item.id.S | Should -Be $product.Id
        $item.entityType.S | Should -Be 'PRODUCT'
        $item.price.N | Should -Be '125000'
        $item.nameFr.S | Should -Be 'Téléphone'
        $item.images.L[0].S | Should -Be '/uploads/a.jpg'
    }

    It 'lists a new category under TYPE#category' {
        $q = Invoke-AwsCli dynamodb query --table-name $table --index-name GSI1 --key-condition-expression 'GSI1PK = :p AND GSI1SK = :s' `
            --expression-attribute-values '{":p":{"S":"TYPE#category"},":s":{"S":"CATEGORY#Electronics"}}'
        $q.Count | Should -Be 1
        $q.Items[0].name.S | Should -Be 'Electronics'
    }

    It 'gives distinct, increasing ids to products created in a burst' {
        $ids = 1..5 | ForEach-Object { (New-Product -Category 'Burst').Id }
        ($ids | Select-Object -Unique).Count | Should -Be 5
        ($ids | Sort-Object) | Should -Be $ids
    }

    It 'creates from pipeline rows binding by property name' {
        $rows = @([pscustomobject]@{ NameEn = 'Garri 5kg'; Price = 3000; Category = 'Groceries'; Stock = 10 })
        $made = $rows | New-EcommerceProduct -TableName $table -Confirm:$false
        (Get-ProductItem $table $made.Id).GSI1PK.S | Should -Be 'CATEGORY#Groceries'
    }

    It 'refuses <Case> with <ErrorId> before any AWS call' -ForEach @(
        @{ Case = 'a negative price'; ErrorId = 'InvalidPrice'; Call = { New-EcommerceProduct -TableName valid-name -NameEn x -Category c -Price -1 -EndpointUrl 'http://127.0.0.1:9' } }
        @{ Case = 'a negative stock'; ErrorId = 'InvalidStock'; Call = { New-EcommerceProduct -TableName valid-name -NameEn x -Category c -Price 1 -Stock -2 -EndpointUrl 'http://127.0.0.1:9' } }
        @{ Case = 'an empty NameEn'; ErrorId = 'MissingNameEn'; Call = { New-EcommerceProduct -TableName valid-name -NameEn '' -Category c -Price 1 -EndpointUrl 'http://127.0.0.1:9' } }
        @{ Case = 'a bad Redis URL'; ErrorId = 'InvalidRedisUrl'; Call = { New-EcommerceProduct -TableName valid-name -NameEn x -Category c -Price 1 -RedisUrl 'http://x:1' -EndpointUrl 'http://127.0.0.1:9' } }
        @{ Case = 'a bad table name'; ErrorId = 'InvalidTableName'; Call = { Get-EcommerceProduct -TableName 'a b' -All -EndpointUrl 'http://127.0.0.1:9' } }
    ) {
        $err = $null
        try { & $Call } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It '-WhatIf writes nothing' {
        $before = (Invoke-AwsCli dynamodb scan --table-name $table --select COUNT).Count
        New-EcommerceProduct -TableName $table -NameEn 'Ghost' -Price 1 -Category 'Ghosts' -WhatIf | Should -BeNullOrEmpty
        (Invoke-AwsCli dynamodb scan --table-name $table --select COUNT).Count | Should -Be $before
    }
}

Describe 'Get-EcommerceProduct' -Tag Integration {
    BeforeAll {
        # four categories, one of them not in the guide's hard-coded list, more than one page in one
        $script:cats = @('Electronics', 'Clothing', 'Home & Kitchen', "Artisanat $(Get-Random)")
        $script:made = foreach ($c in $cats) { 1..2 | ForEach-Object { New-Product -Category $c } }
    }

    It 'gets by id and reports a missing id as non-terminating ProductNotFound' {
        $got = Get-EcommerceProduct -TableName $table -Id $made[0].Id, 'nope000000000000000000', $made[1].Id -ErrorVariable errs -ErrorAction SilentlyContinue
        $got.Id | Should -Be @($made[0].Id, $made[1].Id)
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'ProductNotFound,*'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'gets a category through GSI1' {
        $got = Get-EcommerceProduct -TableName $table -Category $cats[3]
        @($got).Count | Should -Be 2
        $got.Category | Select-Object -Unique | Should -Be $cats[3]
    }

    It '-Category finds a category whatever the case of the name (electronics finds Electronics)' {
        $got = Get-EcommerceProduct -TableName $table -Category 'electronics' -WarningVariable warnings -WarningAction SilentlyContinue
        @($got).Count | Should -BeGreaterOrEqual 2
        $got.Category | Select-Object -Unique | Should -BeExactly 'Electronics'
        $warnings | Should -BeNullOrEmpty
    }

    It '-Category with no such category warns once, listing the categories that exist' {
        $got = Get-EcommerceProduct -TableName $table -Category 'Electronique' -WarningVariable warnings -WarningAction SilentlyContinue
        $got | Should -BeNullOrEmpty
        @($warnings).Count | Should -Be 1
        "$($warnings[0])" | Should -Match "No category 'Electronique' in table '$table'"
        foreach ($c in $cats) { "$($warnings[0])" | Should -Match ([regex]::Escape($c)) }
    }

    It '-All walks every listed category, including one not in the guide''s list' {
        $all = Get-EcommerceProduct -TableName $table -All
        foreach ($p in $made) { $all.Id | Should -Contain $p.Id }
        $all.Category | Should -Contain $cats[3]
        ($all.Id | Select-Object -Unique).Count | Should -Be @($all).Count
    }

    It 'binds by property name from its own output' {
        ($made[0] | Get-EcommerceProduct).Id | Should -Be $made[0].Id
    }
}

Describe 'Read-through cache' -Tag Integration {
    BeforeAll { $script:p = New-Product -Category 'Cached' -Name 'Cached phone' }

    It 'misses, fills product:ID with TTL 3600, then hits' {
        Invoke-Redis EXISTS "${prefix}product:$($p.Id)" | Should -Be 0
        $first = Get-EcommerceProduct -TableName $table -Id $p.Id -RedisUrl $redis -KeyPrefix $prefix
        $first.FromCache | Should -BeFalse
        $ttl = [int](Invoke-Redis TTL "${prefix}product:$($p.Id)")
        $ttl | Should -BeGreaterThan 3500
        $ttl | Should -BeLessOrEqual 3600
        (Invoke-Redis GET "${prefix}product:$($p.Id)" | ConvertFrom-Json).nameEn | Should -Be 'Cached phone'
        $second = Get-EcommerceProduct -TableName $table -Id $p.Id -RedisUrl $redis -KeyPrefix $prefix
        $second.FromCache | Should -BeTrue
        $second.NameEn | Should -Be 'Cached phone'
        $second.Price | Should -Be 125000
    }

    It 'serves a planted cache entry (proves the read comes from Redis)' {
        Invoke-Redis SET "${prefix}product:$($p.Id)" (@{ id = $p.Id; nameEn = 'From Redis'; price = 1; category = 'Cached' } | ConvertTo-Json -Compress) EX 60 | Out-Null
        (Get-EcommerceProduct -TableName $table -Id $p.Id -RedisUrl $redis -KeyPrefix $prefix).NameEn | Should -Be 'From Redis'
        Invoke-Redis UNLINK "${prefix}product:$($p.Id)" | Out-Null
    }

    It 'fills products:CATEGORY and products:all with TTL 1800' {
        Get-EcommerceProduct -TableName $table -Category 'Cached' -RedisUrl $redis -KeyPrefix $prefix | Out-Null
        [int](Invoke-Redis TTL "${prefix}products:Cached") | Should -BeGreaterThan 1700
        (Invoke-Redis GET "${prefix}products:Cached" | ConvertFrom-Json).id | Should -Contain $p.Id
        $all = Get-EcommerceProduct -TableName $table -All -RedisUrl $redis -KeyPrefix $prefix
        [int](Invoke-Redis TTL "${prefix}products:all") | Should -BeGreaterThan 1700
        $again = Get-EcommerceProduct -TableName $table -All -RedisUrl $redis -KeyPrefix $prefix
        @($again).Count | Should -Be @($all).Count
        $again[0].FromCache | Should -BeTrue
    }

    It 'Set-EcommerceProduct on a move invalidates the product, both category lists and products:all' {
        Get-EcommerceProduct -TableName $table -Id $p.Id -RedisUrl $redis -KeyPrefix $prefix | Out-Null
        Get-EcommerceProduct -TableName $table -Category 'Moved' -RedisUrl $redis -KeyPrefix $prefix | Out-Null
        Get-EcommerceProduct -TableName $table -Category 'Cached' -RedisUrl $redis -KeyPrefix $prefix | Out-Null
        Get-EcommerceProduct -TableName $table -All -RedisUrl $redis -KeyPrefix $prefix | Out-Null
        foreach ($k in "product:$($p.Id)", 'products:Moved', 'products:Cached', 'products:all') { Invoke-Redis EXISTS "$prefix$k" | Should -Be 1 }

        $updated = Set-EcommerceProduct -TableName $table -Id $p.Id -Category 'Moved' -Price 99000 -RedisUrl $redis -KeyPrefix $prefix -Confirm:$false
        $updated.Category | Should -Be 'Moved'
        $updated.Price | Should -Be 99000
        $updated.NameEn | Should -Be 'Cached phone'
        foreach ($k in "product:$($p.Id)", 'products:Moved', 'products:Cached', 'products:all') { Invoke-Redis EXISTS "$prefix$k" | Should -Be 0 -Because "$k is stale" }
        $item = Get-ProductItem $table $p.Id
        $item.GSI1PK.S | Should -Be 'CATEGORY#Moved'
        $item.price.N | Should -Be '99000'
        (Get-EcommerceProduct -TableName $table -Category 'Moved' -RedisUrl $redis -KeyPrefix $prefix).Id | Should -Contain $p.Id
    }

    It 'Remove-EcommerceProduct deletes the item and its cache keys' {
        Get-EcommerceProduct -TableName $table -Id $p.Id -RedisUrl $redis -KeyPrefix $prefix | Out-Null
        Get-EcommerceProduct -TableName $table -Category 'Moved' -RedisUrl $redis -KeyPrefix $prefix | Out-Null
        $removed = Remove-EcommerceProduct -TableName $table -Id $p.Id -RedisUrl $redis -KeyPrefix $prefix -Confirm:$false -PassThru
        $removed.Id | Should -Be $p.Id
        Get-ProductItem $table $p.Id | Should -BeNullOrEmpty
        Invoke-Redis EXISTS "${prefix}product:$($p.Id)" | Should -Be 0
        Invoke-Redis EXISTS "${prefix}products:Moved" | Should -Be 0
    }

    It 'warns and reads the table when Redis is unreachable' {
        $q = New-Product -Category 'NoCache'
        $got = Get-EcommerceProduct -TableName $table -Id $q.Id -RedisUrl 'redis://127.0.0.1:9' -WarningVariable warns -WarningAction SilentlyContinue
        $got.Id | Should -Be $q.Id
        ($warns -join ' ') | Should -Match 'Could not connect to Redis'
    }
}

Describe 'Set-/Remove-EcommerceProduct safety' -Tag Integration {
    It 'Set- never upserts: a missing id is ProductNotFound and no item appears' {
        Get-ErrorId { Set-EcommerceProduct -TableName $table -Id 'missing00000000000000000' -Price 5 -Confirm:$false } | Should -BeLike 'ProductNotFound,*'
        Get-ProductItem $table 'missing00000000000000000' | Should -BeNullOrEmpty
    }

    It 'Remove- of a missing id is ProductNotFound' {
        Get-ErrorId { Remove-EcommerceProduct -TableName $table -Id 'missing00000000000000000' -Confirm:$false } | Should -BeLike 'ProductNotFound,*'
    }

    It 'Set- without a field is NothingToUpdate; a negative price is InvalidPrice' {
        Get-ErrorId { Set-EcommerceProduct -TableName $table -Id 'x1' -Confirm:$false } | Should -BeLike 'NothingToUpdate,*'
        Get-ErrorId { Set-EcommerceProduct -TableName $table -Id 'x1' -Price -5 -Confirm:$false } | Should -BeLike 'InvalidPrice,*'
    }

    It '-WhatIf changes and deletes nothing; Remove- is ConfirmImpact High' {
        $p = New-Product -Category 'WhatIf'
        Set-EcommerceProduct -TableName $table -Id $p.Id -Price 1 -WhatIf | Should -BeNullOrEmpty
        $p | Remove-EcommerceProduct -TableName $table -WhatIf
        (Get-ProductItem $table $p.Id).price.N | Should -Be '125000'
        $attr = [EcommerceAws.Commands.RemoveEcommerceProductCommand].GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attr.ConfirmImpact | Should -Be 'High'
    }

    It 'renaming updates the sort key; pipeline Set- binds Id' {
        $p = New-Product -Category 'Rename'
        $p | Set-EcommerceProduct -TableName $table -NameEn 'Renamed' -Confirm:$false | Out-Null
        (Get-ProductItem $table $p.Id).GSI1SK.S | Should -Be 'PRODUCT#Renamed'
    }
}

Describe 'A mistyped table' -Tag Integration {
    # Before: "Query failed: ResourceNotFoundException ... TYPE#category"; now the migration cmdlets' TableNotFound, with the advice.
    BeforeAll { $script:missing = New-TestName 'nosuchtable' }

    It '<Name> gives TableNotFound naming the table' -ForEach @(
        @{ Name = 'Get- -Id'; Call = { Get-EcommerceProduct -TableName $missing -Id '65f1c0a1b2c3d4e5f6a7b8c9' } }
        @{ Name = 'Get- -Category'; Call = { Get-EcommerceProduct -TableName $missing -Category 'Electronics' } }
        @{ Name = 'Get- -All'; Call = { Get-EcommerceProduct -TableName $missing -All } }
        @{ Name = 'New-'; Call = { New-EcommerceProduct -TableName $missing -NameEn 'X' -Price 1 -Category 'C' -Confirm:$false } }
        @{ Name = 'Set-'; Call = { Set-EcommerceProduct -TableName $missing -Id '65f1c0a1b2c3d4e5f6a7b8c9' -Price 5 -Confirm:$false } }
        @{ Name = 'Remove-'; Call = { Remove-EcommerceProduct -TableName $missing -Id '65f1c0a1b2c3d4e5f6a7b8c9' -Confirm:$false } }
    ) {
        $record = $null
        try { & $Call -ErrorAction Stop | Out-Null } catch { $record = $_ }
        $record | Should -Not -BeNullOrEmpty
        $record.FullyQualifiedErrorId | Should -BeLike 'TableNotFound,*'
        $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $record.TargetObject | Should -Be $missing
        "$record" | Should -Match ([regex]::Escape("Table '$missing' does not exist"))
        $record.ErrorDetails.RecommendedAction | Should -Match 'Get-EcommerceTable'
    }
}

Describe 'One Redis, two tables' -Tag Integration {
    # The guide's keys (product:<id>, products:<category>, products:all) do not name the table: a cache filled
    # from one table must never answer for another.
    BeforeAll {
        $script:fresh = New-TestName 'fresh'
        New-EcommerceTable -TableName $fresh -Confirm:$false | Out-Null
        $script:bprefix = "$(New-TestName 'bind'):"
        $script:otherPrefix = $null; $script:appPrefix = $null
        $script:bound = New-Product -Category 'Bound' -Name 'Bound phone'
        Get-EcommerceProduct -TableName $table -Id $bound.Id -RedisUrl $redis -KeyPrefix $bprefix | Out-Null   # fills the cache
    }
    AfterAll {
        Remove-EcommerceTable -TableName $fresh -Force -Confirm:$false -ErrorAction SilentlyContinue
        foreach ($p in $bprefix, $script:otherPrefix, $script:appPrefix) {
            if (-not $p) { continue }
            $left = & redis-cli -u $redis --scan --pattern "$p*"
            if ($left) { & redis-cli -u $redis UNLINK @left | Out-Null }
        }
    }

    It 'records the table when the module first writes to the cache, beside the guide''s keys' {
        Invoke-Redis GET "${bprefix}ecommerceaws:table" | Should -Be $table
        Invoke-Redis EXISTS "${bprefix}product:$($bound.Id)" | Should -Be 1 -Because 'the keys stay the guide''s, shared with the application'
        Invoke-Redis TTL "${bprefix}ecommerceaws:table" | Should -Be -1
    }

    It 'refuses another table on the same Redis and prefix instead of answering with the first table''s product' {
        $got = $null
        $err = try { $got = Get-EcommerceProduct -TableName $fresh -Id $bound.Id -RedisUrl $redis -KeyPrefix $bprefix; $null } catch { $_ }
        $got | Should -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'CacheServesOtherTable*'
        $err.Exception.Message | Should -Match "serves table '$([regex]::Escape($table))'"
        $err.Exception.Message | Should -Match "not '$([regex]::Escape($fresh))'"
        $err.ErrorDetails.RecommendedAction | Should -Match '-KeyPrefix'
    }

    It 'refuses a write for another table before touching the table' {
        $err = try { New-EcommerceProduct -TableName $fresh -NameEn 'Never written' -Price 1 -Category 'Bound' -RedisUrl $redis -KeyPrefix $bprefix -Confirm:$false; $null } catch { $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'CacheServesOtherTable*'
        (Invoke-AwsCli dynamodb scan --table-name $fresh --select COUNT).Count | Should -Be 0
    }

    It 'shares one Redis between tables through -KeyPrefix' {
        $script:otherPrefix = "$(New-TestName 'bind2'):"
        $q = New-EcommerceProduct -TableName $fresh -NameEn 'Fresh phone' -Price 5 -Category 'Bound' -RedisUrl $redis -KeyPrefix $otherPrefix -Confirm:$false
        (Get-EcommerceProduct -TableName $fresh -Id $q.Id -RedisUrl $redis -KeyPrefix $otherPrefix).TableName | Should -Be $fresh
        (Get-EcommerceProduct -TableName $fresh -Id $q.Id -RedisUrl $redis -KeyPrefix $otherPrefix).FromCache | Should -BeTrue
        Invoke-Redis GET "${otherPrefix}ecommerceaws:table" | Should -Be $fresh
        Invoke-Redis GET "${bprefix}ecommerceaws:table" | Should -Be $table
    }

    It 'warns when it first records a table for a cache that already holds keys written by something else (the application)' {
        $script:appPrefix = "$(New-TestName 'app'):"
        Invoke-Redis SET "${appPrefix}product:written-by-the-app" '{}' | Out-Null
        Get-EcommerceProduct -TableName $table -Category 'Bound' -RedisUrl $redis -KeyPrefix $appPrefix -WarningVariable warns -WarningAction SilentlyContinue | Out-Null
        ($warns -join "`n") | Should -Match 'before any table was recorded'
        Invoke-Redis GET "${appPrefix}ecommerceaws:table" | Should -Be $table
    }

    It 'Clear-EcommerceCache forgets the table, and the next write records the new one' {
        Clear-EcommerceCache -RedisUrl $redis -KeyPrefix $bprefix -Confirm:$false | Out-Null
        Invoke-Redis EXISTS "${bprefix}ecommerceaws:table" | Should -Be 0
        $q = New-EcommerceProduct -TableName $fresh -NameEn 'Fresh tablet' -Price 7 -Category 'Tablets' -Confirm:$false
        (Get-EcommerceProduct -TableName $fresh -Id $q.Id -RedisUrl $redis -KeyPrefix $bprefix).FromCache | Should -BeFalse
        Invoke-Redis GET "${bprefix}ecommerceaws:table" | Should -Be $fresh
    }
}
