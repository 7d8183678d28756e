# The one dry-run check (EcommerceCmdlet.IsWhatIf): $WhatIfPreference counts like -WhatIf for every cmdlet whose dry run
# reports a plan, and a cmdlet that records something (Test-EcommerceMigration's verification) records nothing under it.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-EcommerceAws
    $script:redis = $env:ECOM_TEST_REDIS_URL
    $script:tables = [System.Collections.Generic.List[string]]::new()
}

AfterAll {
    foreach ($name in $tables) { Remove-EcommerceTable -TableName $name -Force -Confirm:$false -ErrorAction SilentlyContinue }
}

Describe '$WhatIfPreference is a dry run, like -WhatIf' -Tag Integration {
    It 'Clear-EcommerceCache lists the keys it would delete and deletes none' {
        $prefix = "$(New-TestName 'dry'):"
        "SET ${prefix}products:all []", "SET ${prefix}product:p1 x" | & redis-cli -u $redis | Out-Null
        $log = Join-Path $TestDrive 'clear.txt'
        Start-Transcript -Path $log | Out-Null
        try {
            $WhatIfPreference = $true
            Clear-EcommerceCache -RedisUrl $redis -KeyPrefix $prefix
        }
        finally { $WhatIfPreference = $false; Stop-Transcript | Out-Null }
        $text = Get-Content -Raw $log
        $text | Should -Match ([regex]::Escape("${prefix}products:all")) -Because 'the dry run names each key, as -WhatIf does'
        $text | Should -Match 'Delete 2 keys'
        & redis-cli -u $redis EXISTS "${prefix}products:all" | Should -Be 1
        & redis-cli -u $redis UNLINK "${prefix}products:all" "${prefix}product:p1" | Out-Null
    }

    It 'Publish-ProductAsset reports its plan and uploads and rewrites nothing' {
        $table = New-TestName 'dry'; $tables.Add($table)
        $bucket = New-TestName 'dry'
        New-EcommerceTable -TableName $table -Confirm:$false | Out-Null
        Invoke-AwsCli s3api create-bucket --bucket $bucket | Out-Null
        try {
            $uploads = Join-Path $TestDrive 'uploads'
            New-Item -ItemType Directory -Path $uploads -Force | Out-Null
            [IO.File]::WriteAllBytes((Join-Path $uploads 'a.png'), [byte[]](0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3))
            $product = New-EcommerceProduct -TableName $table -NameEn 'Lamp' -Price 1000 -Category 'Home' -Images '/uploads/a.png' -Confirm:$false
            $WhatIfPreference = $true
            try { $plan = Publish-ProductAsset -TableName $table -BucketName $bucket -CdnDomain 'd1.cloudfront.net' -SourceRoot $uploads }
            finally { $WhatIfPreference = $false }
            $plan | Should -Not -BeNullOrEmpty -Because 'a dry run reports what it would do'
            $plan.WhatIf | Should -BeTrue
            @(Invoke-AwsCli s3api list-objects-v2 --bucket $bucket --query 'Contents[].Key') | Should -BeNullOrEmpty
            (Get-EcommerceProduct -TableName $table -Id $product.Id).Images | Should -Be @('/uploads/a.png')
        }
        finally { & /usr/bin/aws --endpoint-url $env:AWS_ENDPOINT_URL --region us-east-1 s3 rb "s3://$bucket" --force *> $null }
    }

    It 'Test-EcommerceMigration verifies but records nothing on the status item' {
        $table = New-TestName 'dry'; $tables.Add($table)
        New-EcommerceTable -TableName $table -Confirm:$false | Out-Null
        $source = Join-Path $env:ECOM_REPO_ROOT 'samples/shop/categories.json'
        $null = Invoke-CategoryMigration -TableName $table -Path $source -RejectPath $TestDrive -Confirm:$false
        $WhatIfPreference = $true
        try { $dry = Test-EcommerceMigration -TableName $table -Entity Category -Path $source }
        finally { $WhatIfPreference = $false }
        $dry.Passed | Should -BeTrue -Because 'the dry run still verifies and reports'
        (Get-MigrationStatus -TableName $table -Entity Category).LastVerifiedAt | Should -BeNullOrEmpty
        $null = Test-EcommerceMigration -TableName $table -Entity Category -Path $source -Confirm:$false
        (Get-MigrationStatus -TableName $table -Entity Category).LastVerifiedAt | Should -Not -BeNullOrEmpty
    }
}
