@{
    RootModule           = 'EcommerceAws.dll'
    # The ONE place the version lives (Directory.Build.props reads it for the assemblies); bump it by CHANGELOG.md, "Versioning".
    ModuleVersion        = '0.1.0'
    GUID                 = '6f1d3c52-8a4e-4a7b-9a0e-3c1f5b2d7e90'
    Author               = 'EcommerceAws contributors'
    CompanyName          = 'EcommerceAws'
    Copyright            = '(c) EcommerceAws contributors. Apache-2.0.'
    Description          = 'Moves a MongoDB e-commerce backend (bilingual nameEn/nameFr catalogues, XAF prices) onto AWS: a DynamoDB single table, a private S3 asset bucket behind CloudFront, and ElastiCache Redis. Safe defaults, resumable and verifiable migrations, pipeline-friendly objects.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    # The types PowerShell sees, loaded first in the default context; the engine loads in its own (see docs/DESIGN.md).
    RequiredAssemblies   = @('EcommerceAws.Shared.dll')
    FormatsToProcess     = @('EcommerceAws.Format.ps1xml')
    CmdletsToExport      = @(
        # the table
        'New-EcommerceTable', 'Get-EcommerceTable', 'Remove-EcommerceTable',
        # the rest of the stack
        'New-AssetBucket', 'Get-AssetBucket', 'Remove-AssetBucket',
        'New-AssetCdn', 'Get-AssetCdn', 'Remove-AssetCdn', 'Clear-AssetCdnCache',
        'New-CacheCluster', 'Get-CacheCluster', 'Remove-CacheCluster',
        'New-EcommerceStack', 'Get-EcommerceStack', 'Remove-EcommerceStack',
        'Get-EcommerceEnvironment', 'Export-EcommerceEnvFile',
        # migration
        'Invoke-EcommerceMigration', 'Invoke-CategoryMigration', 'Invoke-ProductMigration', 'Invoke-UserMigration', 'Invoke-OrderMigration',
        'ConvertTo-EcommerceItem', 'Get-MigrationStatus', 'Test-EcommerceMigration',
        # cut-over
        'Publish-ProductAsset', 'Clear-EcommerceCache', 'Initialize-EcommerceCache', 'Test-EcommerceConnection',
        'Get-EcommerceProduct', 'New-EcommerceProduct', 'Set-EcommerceProduct', 'Remove-EcommerceProduct',
        # operate
        'New-EcommerceAlarm', 'Get-EcommerceAlarm', 'Remove-EcommerceAlarm',
        'Measure-MigrationCost', 'Get-EcommerceIamPolicy', 'Remove-MigratedSource', 'Remove-MigrationStatus'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('AWS', 'DynamoDB', 'S3', 'CloudFront', 'ElastiCache', 'Redis', 'MongoDB', 'Migration', 'Ecommerce', 'Cameroon', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            LicenseUri   = 'https://www.apache.org/licenses/LICENSE-2.0'
            ProjectUri   = 'https://github.com/ecommerceaws/EcommerceAws'
            # build.ps1 Build replaces this with the release's section of CHANGELOG.md in the published manifest.
            ReleaseNotes = 'See CHANGELOG.md.'
        }
    }
}
