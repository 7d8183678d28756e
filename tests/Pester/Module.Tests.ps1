BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-EcommerceAws
    $script:cmdlets = @(Get-Command -Module EcommerceAws -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-EcommerceAws
    $manifest = Import-PowerShellDataFile (Join-Path $env:ECOM_MODULE_PATH 'EcommerceAws.psd1')
}

Describe 'Module manifest' -Tag Unit {
    It 'targets PowerShell 7.4+ Core with a real version' {
        $manifest.PowerShellVersion | Should -Be '7.4'
        $manifest.CompatiblePSEditions | Should -Be @('Core')
        [version]$manifest.ModuleVersion | Should -BeGreaterThan ([version]'0.0.0')
        $manifest.PrivateData.PSData.Tags | Should -Contain 'DynamoDB'
    }

    It 'exports exactly the cmdlets it lists (no wildcards)' {
        $manifest.CmdletsToExport | Should -Not -Contain '*'
        $exported = (Get-Command -Module EcommerceAws -CommandType Cmdlet).Name | Sort-Object
        $exported | Should -Be ($manifest.CmdletsToExport | Sort-Object)
        # every compiled cmdlet is listed too
        $compiled = [EcommerceAws.Internal.EcommerceCmdlet].Assembly.GetExportedTypes() |
            Where-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
            ForEach-Object { $a = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]; "$($a.VerbName)-$($a.NounName)" }
        ($compiled | Sort-Object) | Should -Be ($manifest.CmdletsToExport | Sort-Object)
    }
}

Describe 'Cmdlet <Name> meets the module standards' -ForEach $cmdlets -Tag Unit {
    BeforeAll {
        $command = Get-Command $Name
        $help = Get-Help $Name -Full
    }

    It 'uses an approved verb and a singular noun' {
        (Get-Verb).Verb | Should -Contain $command.Verb
        $command.Noun | Should -Not -Match '(?<!Statu|Acces|Addres)s$'
    }

    It 'declares its OutputType: a type with a format view, or nothing for Remove-* (they output nothing, like Remove-Item, unless -PassThru)' {
        $types = @($command.OutputType.Type)
        $types.Count | Should -BeGreaterThan 0
        if ($command.Verb -eq 'Remove' -and -not $command.Parameters.ContainsKey('PassThru')) { $types | Should -Be @([void]) -Because 'Remove-* cmdlets output nothing unless -PassThru (docs/DESIGN.md §2)' }
        else {
            foreach ($type in $types) {
                $type | Should -Not -Be ([void]) -Because 'only Remove-* cmdlets output nothing'
                if ($type -eq [string]) { continue }   # text on request (Get-EcommerceIamPolicy -AsJson)
                Get-FormatData -TypeName $type.FullName | Should -Not -BeNullOrEmpty -Because "$($type.FullName) needs a format view"
            }
        }
    }

    It 'has help: synopsis, description, every parameter described, at least two examples' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*\w+-\w+\s*\['   # not the auto-generated syntax stub
        ($help.description.Text -join ' ') | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        foreach ($example in $help.examples.example) { $example.code | Should -Match $Name.Split('-')[1] }
        foreach ($p in $help.parameters.parameter) {
            ($p.description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "-$($p.name) needs a description"
        }
    }

    It 'renders Get-Help -Parameter like built-in help (with the default value)' {
        $first = @($help.parameters.parameter)[0]
        $text = Get-Help $Name -Parameter $first.name | Out-String
        $text | Should -Match 'Required\?'
        $text | Should -Match 'Default value'
    }

    It 'supports -WhatIf unless it only reads (an explicit list, not a guess from the verb)' {
        # Everything else writes somewhere (AWS, Redis, MongoDB, a file, a status item): Test-EcommerceMigration and
        # Get-MigrationStatus -Verify record the verification, so they are not on this list.
        $onlyReads = 'ConvertTo-EcommerceItem', 'Get-AssetBucket', 'Get-AssetCdn', 'Get-CacheCluster', 'Get-EcommerceAlarm',
            'Get-EcommerceEnvironment', 'Get-EcommerceIamPolicy', 'Get-EcommerceProduct', 'Get-EcommerceStack', 'Get-EcommerceTable',
            'Measure-MigrationCost', 'Test-EcommerceConnection'
        if ($Name -in $onlyReads) { $command.Parameters.Keys | Should -Not -Contain 'WhatIf' -Because 'the list of read-only cmdlets must stay true' }
        else { $command.Parameters.Keys | Should -Contain 'WhatIf' }
    }

    # (No angle brackets in this name: in a -ForEach block Pester expands <x> in test names as the variable $x.)
    It 'names its parameter sets by the one convention: By followed by the parameter that selects it, ByResource, All' {
        foreach ($set in $command.ParameterSets | Where-Object Name -NE '__AllParameterSets') {
            if ($set.Name -in 'All', 'ByResource') { continue }
            $set.Name | Should -Match '^By[A-Z]'
            $set.Parameters.Name | Should -Contain $set.Name.Substring(2) -Because "set $($set.Name) is named after its parameter"
        }
    }

    It 'has the common AWS parameters unless it never talks to AWS (an explicit list)' {
        $offline = 'Clear-EcommerceCache', 'ConvertTo-EcommerceItem', 'Export-EcommerceEnvFile'
        foreach ($parameter in 'Region', 'ProfileName', 'EndpointUrl') {
            if ($Name -in $offline) { $command.Parameters.Keys | Should -Not -Contain $parameter -Because 'the offline list must stay true' }
            else { $command.Parameters.Keys | Should -Contain $parameter }
        }
    }
}

Describe 'Assembly wiring (docs/DESIGN.md, "Layers and load contexts")' -Tag Integration {
    It 'the cmdlet assembly references the engine and the shared types, and no AWSSDK, MongoDB or Redis assembly' {
        $references = [EcommerceAws.Internal.EcommerceCmdlet].Assembly.GetReferencedAssemblies().Name
        $references | Should -Contain 'EcommerceAws.Engine'
        $references | Should -Contain 'EcommerceAws.Shared'
        $thirdParty = $references | Where-Object { $_ -match '^(AWSSDK|MongoDB|StackExchange|Pipelines|DnsClient|SharpCompress|Snappier|ZstdSharp)' }
        $thirdParty | Should -BeNullOrEmpty
    }

    It 'the shared types live in the default load context and the engine in the module''s own' {
        $null = Get-EcommerceIamPolicy -Name wiring-check -Scope Operate -AccountId 123456789012 -Region us-east-1   # reaches the engine
        $contextOf = { param($name) [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object { $_.Assemblies.GetName().Name -contains $name } | ForEach-Object Name }
        @(& $contextOf 'EcommerceAws.Shared') | Should -Be @('Default')
        @(& $contextOf 'EcommerceAws') | Should -Be @('Default')
        @(& $contextOf 'EcommerceAws.Engine') | Should -Be @('EcommerceAws')
        @(& $contextOf 'AWSSDK.Core') | Should -Contain 'EcommerceAws'
    }

    It 'the engine shows only its services and input checks; everything else is internal' {
        $engine = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'EcommerceAws' | ForEach-Object Assemblies |
            Where-Object { $_.GetName().Name -eq 'EcommerceAws.Engine' }
        $exported = $engine.GetExportedTypes() | Where-Object { -not $_.IsNested }
        $unexpected = $exported | Where-Object { $_.Name -notmatch '(Service|Publisher|Tester|Validation|Tags|Secrets|WarningsAsVerbose|Parameters)$' }
        @($unexpected | ForEach-Object FullName) | Should -BeNullOrEmpty
    }
}

Describe 'Dependency isolation' -Tag Integration {
    It 'imports and works after another module loaded AWSSDK.Core 3.7 and MongoDB.Driver 2.30' {
        $conflicting = Join-Path $env:ECOM_REPO_ROOT 'out/fixtures/ConflictingModule/ConflictingModule.dll'
        $table = New-TestName 'isolation'
        $result = Invoke-FreshPwsh @"
`$ErrorActionPreference = 'Stop'
Import-Module '$conflicting'
`$other = Get-ConflictingVersion
Import-Module '$env:ECOM_MODULE_PATH'
`$created = New-EcommerceTable -TableName $table -Confirm:`$false
`$ours = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'EcommerceAws' |
    ForEach-Object Assemblies | Where-Object { `$_.GetName().Name -eq 'AWSSDK.Core' }
`$ourVersion = [System.Diagnostics.FileVersionInfo]::GetVersionInfo(`$ours.Location).FileVersion
"OTHER=`$(`$other.AwsCore)/`$(`$other.MongoDriver)"
"OURS=`$ourVersion"
"TABLE=`$(`$created.TableName)/`$(`$created.Status)"
Remove-EcommerceTable -TableName $table -Force -Confirm:`$false
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain "TABLE=$table/ACTIVE"
        ($result.Output | Where-Object { $_ -like 'OTHER=*' }) | Should -Match '^OTHER=3\.7\.[\d.]+/2\.30\.'
        ($result.Output | Where-Object { $_ -like 'OURS=*' }) | Should -Match '^OURS=4\.1\.'
    }
}

Describe 'Common AWS parameters' -Tag Unit {
    It 'stops with AwsRegionMissing before any call when no region can be found' {
        $result = Invoke-FreshPwsh @"
Remove-Item Env:AWS_REGION, Env:AWS_DEFAULT_REGION -ErrorAction SilentlyContinue
Import-Module '$env:ECOM_MODULE_PATH'
try { Get-EcommerceTable -TableName any-table } catch { `$_.FullyQualifiedErrorId; `$_.CategoryInfo.Category; `$_.ErrorDetails.RecommendedAction }
"@
        $result.Output[0] | Should -BeLike 'AwsRegionMissing,*'
        $result.Output[1] | Should -Be 'InvalidOperation'
        $result.Output[2] | Should -Match '-Region'
    }

    It 'stops with AwsCredentialsMissing when no credentials can be found, printing no secret' {
        $result = Invoke-FreshPwsh @"
Remove-Item Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY -ErrorAction SilentlyContinue
Import-Module '$env:ECOM_MODULE_PATH'
try { Get-EcommerceTable -TableName any-table } catch { `$_.FullyQualifiedErrorId; `$_.CategoryInfo.Category }
"@
        $result.Output[0] | Should -BeLike 'AwsCredentialsMissing,*'
        $result.Output[1] | Should -Be 'AuthenticationError'
    }

    It 'says in whole words where it looked for credentials (not the SDK''s "...returned the following errors:)")' {
        $result = Invoke-FreshPwsh @"
Remove-Item Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY -ErrorAction SilentlyContinue
Import-Module '$env:ECOM_MODULE_PATH'
try { Get-EcommerceTable -TableName any-table } catch { `$_.Exception.Message }
"@
        $message = $result.Output -join ' '
        $message | Should -Not -Match 'following errors'
        $message | Should -Match 'AWS_ACCESS_KEY_ID'
        $message | Should -Match '\.$'
    }

    It 'refuses an endpoint without http:// or https:// as InvalidEndpointUrl, naming where it came from' -ForEach @(
        @{ Variable = 'AWS_ENDPOINT_URL'; Value = '127.0.0.1:5055' }
        @{ Variable = 'AWS_ENDPOINT_URL_DYNAMODB'; Value = 'localhost:5055' }
    ) {
        $result = Invoke-FreshPwsh @"
Remove-Item Env:AWS_ENDPOINT_URL* -ErrorAction SilentlyContinue
`$env:$Variable = '$Value'
Import-Module '$env:ECOM_MODULE_PATH'
try { Get-EcommerceTable -TableName any-table } catch { `$_.FullyQualifiedErrorId; `$_.CategoryInfo.Category; `$_.Exception.Message; `$_.ErrorDetails.RecommendedAction }
"@
        $result.Output[0] | Should -BeLike 'InvalidEndpointUrl,*'
        $result.Output[1] | Should -Be 'InvalidArgument'
        $result.Output[2] | Should -Match "^$Variable is '$Value'"
        $result.Output[3] | Should -Match ([regex]::Escape("http://$Value"))
    }

    It 'reports an unknown profile as AwsProfileNotFound' {
        Get-ErrorId { Get-EcommerceTable -TableName any-table -ProfileName no-such-profile } | Should -BeLike 'AwsProfileNotFound,*'
    }

    It 'honours -EndpointUrl over AWS_ENDPOINT_URL' {
        Get-ErrorId { Get-EcommerceTable -TableName any-table -EndpointUrl 'http://127.0.0.1:9' } | Should -BeLike 'AwsEndpointUnreachable,*'
    }
}
