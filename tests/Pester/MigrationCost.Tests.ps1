# Measure-MigrationCost: sizes from the migration's mapper, write units, cost, time and storage.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-EcommerceAws
    $script:repo = if ($env:ECOM_REPO_ROOT) { $env:ECOM_REPO_ROOT } else { Join-Path $PSScriptRoot '../..' }
    $script:dump = Join-Path $script:repo 'samples/dump/shop'
    $script:work = Join-Path ([System.IO.Path]::GetTempPath()) (New-TestName 'cost')
    New-Item -ItemType Directory -Path $script:work | Out-Null
    $script:tables = [System.Collections.Generic.List[string]]::new()
}
AfterAll {
    Remove-Item $script:work -Recurse -Force -ErrorAction SilentlyContinue
    foreach ($t in $script:tables) { Remove-EcommerceTable -TableName $t -Force -Confirm:$false -ErrorAction SilentlyContinue }
}

Describe 'Measure-MigrationCost' -Tag Integration {
    Context 'from a mongodump folder' {
        BeforeAll { $rows = Measure-MigrationCost -Path $script:dump }

        It 'returns one typed row per entity and a total' {
            $rows | Should -BeOfType ([EcommerceAws.Output.MigrationCostEstimate])
            $rows.Entity | Should -Be @('Category', 'Product', 'User', 'Order', 'Total')
            ($rows | Where-Object Entity -eq 'Product').ItemCount | Should -Be 64
            ($rows | Where-Object Entity -eq 'Total').ItemCount | Should -Be (7 + 64 + 30 + 57)
        }
        It 'measures sizes with the migration mapping' {
            $mapped = ConvertTo-EcommerceItem -Entity Product -Path (Join-Path $script:dump 'products.bson') | Where-Object { -not $_.Rejected }
            $product = $rows | Where-Object Entity -eq 'Product'
            $product.Sampled | Should -Be 64
            $product.SampleRejected | Should -Be 4
            $product.AverageItemBytes | Should -Be ([math]::Round(($mapped.SizeBytes | Measure-Object -Average).Average, 1))
            $product.MaxItemBytes | Should -Be ($mapped.SizeBytes | Measure-Object -Maximum).Maximum
            $product.ItemsOver400KB | Should -Be 0
        }
        It 'counts a table write and a GSI1 write per item, and prices them' {
            $product = $rows | Where-Object Entity -eq 'Product'
            $product.WriteUnitsPerItem | Should -Be 2
            $product.WriteUnits | Should -Be 120     # 60 items that map, each under 1 KB
            $product.PricePerMillionWriteUnits | Should -Be 0.625
            $product.OnDemandCostUsd | Should -Be ([math]::Round(120 / 1e6 * 0.625, 6))
            $product.TimeAtOnDemandBaseline.TotalSeconds | Should -Be (120 / 4000)
            $product.TimeAtProvisionedWcu | Should -BeNullOrEmpty
            $product.StorageGbMonth | Should -BeGreaterThan 0
            $total = $rows | Where-Object Entity -eq 'Total'
            $total.WriteUnits | Should -Be ((($rows | Where-Object Entity -ne 'Total').WriteUnits | Measure-Object -Sum).Sum)
        }
        It 'reads well in a console' {
            $text = $rows | Out-String
            $text | Should -Match 'Write \$'
            $text | Should -Match 'Total'
        }
    }

    It 'uses the price given and the time at a provisioned table''s WCU' {
        $name = New-TestName 'cost'; $script:tables.Add($name)
        New-EcommerceTable -TableName $name -BillingMode Provisioned -ReadCapacity 5 -WriteCapacity 5 -Confirm:$false | Out-Null
        $row = Measure-MigrationCost -Path (Join-Path $script:dump 'products.bson') -Entity Product -TableName $name -PricePerMillionWriteUnits 1.25
        $row.OnDemandCostUsd | Should -Be ([math]::Round(120 / 1e6 * 1.25, 6))
        $row.ProvisionedWcu | Should -Be 5
        $row.TimeAtProvisionedWcu.TotalSeconds | Should -Be 12   # 60 table units / 5 WCU, GSI1 in parallel
    }
    It 'flags items over 400 KB' {
        $file = Join-Path $script:work 'products.json'
        $big = @{ _id = @{ '$oid' = '65f1a2b3c4d5e6f708192a3b' }; nameEn = 'Catalogue'; category = 'Books'; pages = ('x' * 420000) } | ConvertTo-Json -Compress
        Set-Content -Path $file -Value @('{"_id":"small","nameEn":"a","category":"b","price":1}', $big)
        $row = Measure-MigrationCost -Path $file -Entity Product
        $row.ItemsOver400KB | Should -Be 1
        $row.MaxItemBytes | Should -BeGreaterThan 409600
        $row.WriteUnits | Should -Be 2
    }
    It 'a missing table is TableNotFound and bad input fails before any read' {
        Get-ErrorId { Measure-MigrationCost -Path $script:dump -Entity Product -TableName (New-TestName 'none') } | Should -BeLike 'TableNotFound*'
        Get-ErrorId { Measure-MigrationCost -Path (Join-Path $script:dump 'products.bson') } | Should -BeLike 'MeasureMigrationCostOneFileManyEntities*'
        Get-ErrorId { Measure-MigrationCost -Path $script:work -Entity Order } | Should -BeLike 'SourceFileNotFound*'
    }
}

Describe 'Measure-MigrationCost reads the file the migration reads' -Tag Integration {
    BeforeAll { Import-Module (Join-Path $PSScriptRoot 'MigrationHelpers.psm1') -Force }
    It 'takes products.json over products.bson in one folder, as Invoke-ProductMigration -WhatIf does' {
        $folder = Join-Path $script:work 'both'
        $null = New-Item -ItemType Directory -Path $folder -Force
        Copy-Item (Join-Path $script:dump 'products.bson') $folder
        Set-Content -Path (Join-Path $folder 'products.json') -Value @(
            '{"_id":"p1","nameEn":"Radio","nameFr":"Radio","category":"Electronics","price":15000}'
            '{"_id":"p2","nameEn":"Pagne","nameFr":"Pagne","category":"Clothing","price":8000}'
            '{"_id":"p3","nameEn":"Savon","nameFr":"Savon","category":"Beauty","price":500}')
        $row = Measure-MigrationCost -Path $folder -Entity Product
        $row.ItemCount | Should -Be 3
        $plan = Invoke-ProductMigration -TableName (New-MigrationTable) -Path $folder -WhatIf
        $plan.Source | Should -BeLike '*products.json'
        $plan.Written | Should -Be $row.ItemCount
    }
}

Describe 'Measure-MigrationCost: -Method Write and -Method Import side by side' -Tag Integration {
    BeforeAll {
        $script:rows = Measure-MigrationCost -Path $script:dump -PricePerGbImport 0.2
    }

    It 'gives the import''s uncompressed DYNAMODB_JSON bytes exactly as -Method Import stages them' {
        $bucket = New-TestName 'coststage'
        $null = Invoke-AwsCli s3api create-bucket --bucket $bucket
        $staged = Invoke-ProductMigration -TableName (New-TestName 'costimp') -Path (Join-Path $script:dump 'products.bson') -Method Import -StagingBucket $bucket -WhatIf
        $product = $rows | Where-Object Entity -eq 'Product'
        $product.ImportBytes | Should -Be $staged.UncompressedBytes
        $product.StagingBytes | Should -BeGreaterThan 0
        $product.StagingBytes | Should -BeLessThan $product.ImportBytes
        $product.StagingObjects | Should -Be 1
    }

    It 'prices the import per GB with -PricePerGbImport and sums the total' {
        $product = $rows | Where-Object Entity -eq 'Product'
        $product.PricePerGbImport | Should -Be 0.2
        $product.ImportCostUsd | Should -Be ([math]::Round($product.ImportBytes / 1GB * 0.2, 6))
        $total = $rows | Where-Object Entity -eq 'Total'
        $total.ImportBytes | Should -Be ((($rows | Where-Object Entity -ne 'Total').ImportBytes | Measure-Object -Sum).Sum)
    }

    It 'recommends Write for a small shop (the import would save under USD 1) and says why' {
        $total = $rows | Where-Object Entity -eq 'Total'
        $total.RecommendedMethod | Should -Be 'Write'
        $total.Recommendation | Should -Match 'under USD 1'
    }

    It 'recommends Import when writing costs USD 1 more, and Write whenever the table exists' {
        $file = Join-Path $script:work 'big-products.json'
        $pad = 'x' * 3000
        $lines = for ($i = 0; $i -lt 3000; $i++) { '{"_id":{"$oid":"' + ('{0:x24}' -f $i) + '"},"nameEn":"P' + $i + '","category":"Books","price":1,"text":"' + $pad + '"}' }
        Set-Content -Path $file -Value $lines
        $big = Measure-MigrationCost -Path $file -Entity Product -SampleSize 200 -PricePerMillionWriteUnits 1000
        $big.WriteUnits | Should -Be 24000    # 3,000 items of 3-4 KB: 4 units for the table and 4 for GSI1
        $big.OnDemandCostUsd | Should -BeGreaterThan 1
        $big.RecommendedMethod | Should -Be 'Import'
        $big.Recommendation | Should -Match '^Import: writing costs USD'
        $name = New-TestName 'cost'; $script:tables.Add($name)
        New-EcommerceTable -TableName $name -Confirm:$false | Out-Null
        $existing = Measure-MigrationCost -Path $file -Entity Product -SampleSize 200 -PricePerMillionWriteUnits 1000 -TableName $name
        $existing.RecommendedMethod | Should -Be 'Write'
        $existing.Recommendation | Should -Match "table '$name' exists"
    }

    It 'shows both methods in the table view at 80 columns' {
        $text = $rows | Format-Table | Out-String -Width 80
        $text | Should -Match 'Write \$'
        $text | Should -Match 'Import \$'
        $text | Should -Match 'Use'
        foreach ($line in $text -split "`n") { $line.TrimEnd().Length | Should -BeLessOrEqual 80 }
    }
}
