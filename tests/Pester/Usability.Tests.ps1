# What a newcomer meets first (issue 13, "Errors a newcomer meets"): friendly input, and errors that say what is wrong
# and what to do, before any AWS call. No services: nothing here may reach AWS (the endpoint is a closed port).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-EcommerceAws
    $script:work = Join-Path ([System.IO.Path]::GetTempPath()) (New-TestName 'usability')
    New-Item -ItemType Directory -Path $script:work | Out-Null
    $script:closed = 'http://127.0.0.1:9'   # nothing listens: reaching it proves the input was accepted
    # Dummy keys and a region so the first AWS call is attempted (and refused by the closed port).
    $script:savedEnvironment = @{}
    foreach ($pair in @{ AWS_ACCESS_KEY_ID = 'testing'; AWS_SECRET_ACCESS_KEY = 'testing'; AWS_REGION = 'us-east-1' }.GetEnumerator()) {
        $script:savedEnvironment[$pair.Key] = [Environment]::GetEnvironmentVariable($pair.Key)
        if (-not $script:savedEnvironment[$pair.Key]) { [Environment]::SetEnvironmentVariable($pair.Key, $pair.Value) }
    }

    function Get-Record([scriptblock] $ScriptBlock) {
        try { & $ScriptBlock | Out-Null; $null } catch { $_ }
    }
}

AfterAll {
    Remove-Item $script:work -Recurse -Force -ErrorAction SilentlyContinue
    foreach ($pair in $script:savedEnvironment.GetEnumerator()) { [Environment]::SetEnvironmentVariable($pair.Key, $pair.Value) }
}

Describe '-Entity takes the collection names too' -Tag Unit {
    It 'ConvertTo-EcommerceItem -Entity <Name> maps to <Entity>' -ForEach @(
        @{ Name = 'products'; Entity = 'Product' }, @{ Name = 'Products'; Entity = 'Product' }, @{ Name = 'orders'; Entity = 'Order' }
        @{ Name = 'categories'; Entity = 'Category' }, @{ Name = 'USERS'; Entity = 'User' }, @{ Name = 'order'; Entity = 'Order' }
    ) {
        (ConvertTo-EcommerceItem -Entity $Name -InputObject '{"_id":"a1","name":"x","nameEn":"x","category":"c","price":1,"email":"a@b.cm","userId":"u"}').Entity | Should -Be $Entity
    }

    It 'Measure-MigrationCost and Invoke-EcommerceMigration take a list of collection names' {
        $cmd = Get-Command Measure-MigrationCost
        $attr = $cmd.Parameters['Entity'].Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentTransformationAttribute] }
        $attr | Should -Not -BeNullOrEmpty
        $attr.Transform($ExecutionContext, @('products', 'Orders')) | Should -Be @([EcommerceAws.Contract.EcommerceEntity]::Product, [EcommerceAws.Contract.EcommerceEntity]::Order)
        foreach ($name in 'Invoke-EcommerceMigration', 'Remove-MigrationStatus', 'Get-MigrationStatus', 'Test-EcommerceMigration', 'Remove-MigratedSource') {
            (Get-Command $name).Parameters['Entity'].Attributes.TypeId.Name | Should -Contain 'EntityNameTransformationAttribute' -Because $name
        }
    }

    It 'an unknown name still fails, listing the valid ones' {
        $record = Get-Record { ConvertTo-EcommerceItem -Entity produits -InputObject '{"_id":"a1"}' }
        "$record" | Should -Match 'Category, Product, User, Order'
    }
}

Describe 'Files piped into the migration cmdlets' -Tag Unit {
    BeforeAll {
        $script:file = Join-Path $work 'products.json'
        Set-Content -Path $file -Value '{"_id":"a1","nameEn":"x","category":"c","price":1}'
    }

    It 'Get-Item <file> | Invoke-ProductMigration binds the file to -Path (no prompt for -MongoUri)' {
        $record = Get-Record { Get-Item $file | Invoke-ProductMigration -TableName shop -EndpointUrl $closed -ErrorAction Stop }
        # The table check is the first AWS call: reaching it means -Path was bound from the piped FileInfo.
        $record.FullyQualifiedErrorId | Should -BeLike 'AwsEndpointUnreachable,*'
    }

    It 'a folder piped into Invoke-EcommerceMigration binds too, and a PSPath works' {
        $record = Get-Record { Get-Item $work | Invoke-EcommerceMigration -TableName shop -Entity products -EndpointUrl $closed -ErrorAction Stop }
        $record.FullyQualifiedErrorId | Should -BeLike 'AwsEndpointUnreachable,*'
        $record = Get-Record { [pscustomobject]@{ PSPath = "Microsoft.PowerShell.Core\FileSystem::$file" } | Invoke-ProductMigration -TableName shop -EndpointUrl $closed -ErrorAction Stop }
        $record.FullyQualifiedErrorId | Should -BeLike 'AwsEndpointUnreachable,*'
    }
}

Describe 'A -Path folder that does not exist' -Tag Unit {
    It '<Name> says the folder is not found (not that a collection file is missing in it)' -ForEach @(
        @{ Name = 'Measure-MigrationCost'; Call = { Measure-MigrationCost -Path (Join-Path $work 'no-such-dump') -Entity Category } }
        @{ Name = 'Invoke-EcommerceMigration'; Call = { Invoke-EcommerceMigration -TableName shop -Path (Join-Path $work 'no-such-dump') -EndpointUrl $closed } }
    ) {
        $record = Get-Record $Call
        $record.FullyQualifiedErrorId | Should -BeLike 'SourceFolderNotFound,*'
        $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        "$record" | Should -Match "folder '.*no-such-dump' does not exist"
        "$record" | Should -Not -Match 'categories\.bson'
    }

    It 'a folder that exists but lacks the collection still names the missing files' {
        $record = Get-Record { Measure-MigrationCost -Path $work -Entity Order }
        $record.FullyQualifiedErrorId | Should -BeLike 'SourceFileNotFound,*'   # the migration's own check: one ErrorId, one message
        "$record" | Should -Match 'orders\.bson'
    }
}

Describe 'Export-EcommerceEnvFile folders' -Tag Unit {
    BeforeAll {
        $script:variables = [EcommerceAws.Output.EcommerceEnvironment]@{ AWS_REGION = 'af-south-1'; DYNAMODB_TABLE = 'shop'; S3_BUCKET_NAME = 'b'; CLOUDFRONT_URL = 'https://d1.cloudfront.net'; REDIS_URL = 'redis://h:6379' }
    }

    It 'does not create a missing folder: EnvFileFolderNotFound, and the folder still does not exist' {
        $folder = Join-Path $work 'srv/app'
        $record = Get-Record { $variables | Export-EcommerceEnvFile -Path (Join-Path $folder '.env') -Confirm:$false }
        $record.FullyQualifiedErrorId | Should -BeLike 'EnvFileFolderNotFound,*'
        $record.ErrorDetails.RecommendedAction | Should -Match ([regex]::Escape("New-Item -ItemType Directory -Path '$folder'"))
        Test-Path $folder | Should -BeFalse
    }

    It 'a folder it cannot write to is EnvFileNotWritable naming the .env, not a temporary file' {
        # root writes anywhere chmod allows; sysfs refuses new files even to root.
        $folder = if ((& id -u) -eq '0') { '/sys' } else { $f = Join-Path $work 'readonly'; New-Item -ItemType Directory $f | Out-Null; & chmod 555 $f; $f }
        $target = Join-Path $folder '.env'
        $record = Get-Record { $variables | Export-EcommerceEnvFile -Path $target -Confirm:$false }
        $record.FullyQualifiedErrorId | Should -BeLike 'EnvFileNotWritable,*'
        $record.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $record.TargetObject | Should -Be $target
        "$record" | Should -Not -Match '\.tmp-'
        $record.ErrorDetails.RecommendedAction | Should -Match 'user who can write'
    }

    It 'still writes into an existing folder' {
        $result = $variables | Export-EcommerceEnvFile -Path (Join-Path $work '.env') -Confirm:$false
        $result.Added | Should -Contain 'DYNAMODB_TABLE'
        Get-ChildItem $work -Filter '.env.tmp-*' -Force | Should -BeNullOrEmpty
    }
}

Describe 'Grammar in results' -Tag Integration {
    BeforeAll {
        $script:table = New-TestName 'grammar'
        New-EcommerceTable -TableName $table -Confirm:$false | Out-Null
        $script:oneBad = Join-Path $work 'one-bad-category.json'
        Set-Content -Path $oneBad -Value @(
            '{"_id":{"$oid":"65f1a2b3c4d5e6f708192a01"},"name":"Electronics","nameFr":"Électronique"}'
            '{"_id":{"$oid":"65f1a2b3c4d5e6f708192a02"}}')
    }
    AfterAll { Remove-EcommerceTable -TableName $table -Force -Confirm:$false -ErrorAction SilentlyContinue }

    It 'says "1 document rejected", not "1 documents"' {
        $result = Invoke-CategoryMigration -TableName $table -Path $oneBad -RejectPath $work -Confirm:$false -WarningAction SilentlyContinue
        $result.Rejected | Should -Be 1
        $result.Notes | Should -Contain ($result.Notes | Where-Object { $_ -like '1 document rejected; see *' })
        $result.Notes -join ' ' | Should -Not -Match '\b1 documents\b'
    }
}
