BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../TestServices.psm1') -Force
    Import-EcommerceAws
    $script:table = New-TestName 'assets'
    $script:bucket = New-TestName 'assets'
    $script:cdn = 'd111111abcdef8.cloudfront.net'
    New-EcommerceTable -TableName $table -Confirm:$false | Out-Null
    Invoke-AwsCli s3api create-bucket --bucket $bucket | Out-Null

    function New-Bytes([byte[]] $Magic, [int] $Size = 2048) {
        $rest = [byte[]]::new($Size); [System.Random]::new().NextBytes($rest); [byte[]]($Magic + $rest)
    }
    function Get-Sha([byte[]] $Bytes) { [Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($Bytes)).ToLowerInvariant() }
    function Get-Item([string] $Id) {
        (Invoke-AwsCli dynamodb get-item --table-name $table --key (@{ PK = @{ S = "PRODUCT#$Id" }; SK = @{ S = "PRODUCT#$Id" } } | ConvertTo-Json -Compress)).Item
    }

    # the old app's uploads folder and a web server for URL images
    $script:uploads = Join-Path $TestDrive 'uploads'
    $script:web = Join-Path $TestDrive 'web'
    New-Item -ItemType Directory -Path $uploads, $web | Out-Null
    $script:png = New-Bytes 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A
    $script:jpg = New-Bytes 0xFF, 0xD8, 0xFF, 0xE0
    $script:mislabeled = New-Bytes 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A
    [IO.File]::WriteAllBytes((Join-Path $uploads 'phone.png'), $png)
    [IO.File]::WriteAllBytes((Join-Path $uploads 'mislabeled.jpg'), $mislabeled)
    Set-Content -Path (Join-Path $uploads 'notes.txt') -Value 'not an image'
    Set-Content -Path (Join-Path $uploads 'logo.svg') -Value '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'
    [IO.File]::WriteAllBytes((Join-Path $web 'shoe.jpg'), $jpg)

    $script:port = Get-FreePort
    $script:server = Start-Process -FilePath python3 -ArgumentList @('-m', 'http.server', '--bind', '127.0.0.1', "$port", '--directory', $web) -PassThru `
        -RedirectStandardOutput (Join-Path $TestDrive 'http.log') -RedirectStandardError (Join-Path $TestDrive 'http.err')
    Wait-TcpPort -Port $port -Process $server
    $script:base = "http://127.0.0.1:$port"

    $script:p1 = New-EcommerceProduct -TableName $table -NameEn 'Phone' -Price 90000 -Category 'Electronics' -Confirm:$false `
        -Images '/uploads/phone.png', "$base/shoe.jpg", '/uploads/missing.jpg', "$base/nope.jpg"
    $script:p2 = New-EcommerceProduct -TableName $table -NameEn 'Poster' -Price 5000 -Category 'Art' -Confirm:$false `
        -Images '../../etc/passwd', 'notes.txt', 'logo.svg'
    $script:p3 = New-EcommerceProduct -TableName $table -NameEn 'Shoe' -Price 20000 -Category 'Clothing' -Confirm:$false `
        -Images "$base/shoe.jpg", 'uploads/mislabeled.jpg'
    $script:p3Original = @("$base/shoe.jpg", 'uploads/mislabeled.jpg')

    $script:result = Publish-ProductAsset -TableName $table -BucketName $bucket -CdnDomain $cdn -SourceRoot $uploads `
        -ErrorVariable publishErrors -ErrorAction SilentlyContinue -Confirm:$false
}

AfterAll {
    if ($server) { Stop-ProcessTree $server }
    Remove-EcommerceTable -TableName $table -Force -Confirm:$false -ErrorAction SilentlyContinue
    if (Test-AwsCli s3api head-bucket --bucket $bucket) {
        & /usr/bin/aws --endpoint-url $env:AWS_ENDPOINT_URL --region us-east-1 s3 rb "s3://$bucket" --force *> $null
    }
}

Describe 'Publish-ProductAsset' -Tag Integration {
    It 'returns one AssetMigrationResult with the counts' {
        $result | Should -BeOfType ([EcommerceAws.Output.AssetMigrationResult])
        $result.ProductsScanned | Should -Be 3
        $result.ProductsUpdated | Should -Be 3
        $result.ImagesUploaded | Should -Be 5
        $result.ImagesRejected | Should -Be 4
        $result.BytesUploaded | Should -BeGreaterThan (3 * 2048)
        $result.CdnDomain | Should -Be $cdn
        $result.WhatIf | Should -BeFalse
    }

    It 'reports each bad image as a non-terminating error with its own ErrorId' {
        $ids = $publishErrors | ForEach-Object { ($_.FullyQualifiedErrorId -split ',')[0] } | Sort-Object
        $ids | Should -Be @('AssetDownloadFailed', 'AssetFileNotFound', 'AssetNotAnImage', 'AssetOutsideSourceRoot')
        ($result.Rejects | Where-Object Reason -eq 'FileNotFound').Image | Should -Be '/uploads/missing.jpg'
        ($result.Rejects | Where-Object Reason -eq 'DownloadFailed').ProductId | Should -Be $p1.Id
    }

    It 'uploads to products/ID/SHA256.EXT with the sniffed type and immutable caching (head-object)' {
        $head = Invoke-AwsCli s3api head-object --bucket $bucket --key "products/$($p1.Id)/$(Get-Sha $png).png"
        $head.ContentType | Should -Be 'image/png'
        $head.CacheControl | Should -Be 'public, max-age=31536000, immutable'
        $head.ContentLength | Should -Be $png.Length
        (Invoke-AwsCli s3api head-object --bucket $bucket --key "products/$($p1.Id)/$(Get-Sha $jpg).jpg").ContentType | Should -Be 'image/jpeg'
        (Invoke-AwsCli s3api head-object --bucket $bucket --key "products/$($p2.Id)/$(Get-Sha ([IO.File]::ReadAllBytes((Join-Path $uploads 'logo.svg')))).svg").ContentType | Should -Be 'image/svg+xml'
    }

    It 'trusts the bytes over the file name (a PNG named .jpg)' {
        (Invoke-AwsCli s3api head-object --bucket $bucket --key "products/$($p3.Id)/$(Get-Sha $mislabeled).png").ContentType | Should -Be 'image/png'
    }

    It 'rewrites images to CDN URLs, keeps rejected ones and the original list (get-item)' {
        $item = Get-Item $p1.Id
        $images = $item.images.L.S
        $images[0] | Should -Be "https://$cdn/products/$($p1.Id)/$(Get-Sha $png).png"
        $images[1] | Should -Be "https://$cdn/products/$($p1.Id)/$(Get-Sha $jpg).jpg"
        $images[2] | Should -Be '/uploads/missing.jpg'
        $images[3] | Should -Be "$base/nope.jpg"
        $item.imagesOriginal.L.S | Should -Be @('/uploads/phone.png', "$base/shoe.jpg", '/uploads/missing.jpg', "$base/nope.jpg")
    }

    It 'is idempotent: a second run uploads nothing and rewrites nothing' {
        $again = Publish-ProductAsset -TableName $table -BucketName $bucket -CdnDomain $cdn -SourceRoot $uploads -ErrorAction SilentlyContinue -Confirm:$false
        $again.ImagesUploaded | Should -Be 0
        $again.ProductsUpdated | Should -Be 0
        $again.ImagesAlreadyPublished | Should -Be 5
        $again.ImagesRejected | Should -Be 4
    }

    It 'skips objects already in the bucket with the same hash, and keeps the first imagesOriginal' {
        Set-EcommerceProduct -TableName $table -Id $p3.Id -Images $p3Original -Confirm:$false | Out-Null
        $r = Publish-ProductAsset -TableName $table -BucketName $bucket -CdnDomain $cdn -SourceRoot $uploads -ProductId $p3.Id -Confirm:$false
        $r.ImagesSkipped | Should -Be 2
        $r.ImagesUploaded | Should -Be 0
        $r.ProductsUpdated | Should -Be 1
        $item = Get-Item $p3.Id
        $item.images.L.S | ForEach-Object { $_ | Should -BeLike "https://$cdn/products/$($p3.Id)/*" }
        $item.imagesOriginal.L.S | Should -Be $p3Original
    }

    It '-WhatIf uploads and rewrites nothing but says what it would do' {
        $p4 = New-EcommerceProduct -TableName $table -NameEn 'Bag' -Price 7000 -Category 'Bags' -Images "$base/shoe.jpg" -Confirm:$false
        $r = Publish-ProductAsset -TableName $table -BucketName $bucket -CdnDomain $cdn -ProductId $p4.Id -WhatIf
        $r.WhatIf | Should -BeTrue
        $r.ImagesUploaded | Should -Be 1
        $listed = Invoke-AwsCli s3api list-objects-v2 --bucket $bucket --prefix "products/$($p4.Id)/"
        $(if ($listed) { $listed.PSObject.Properties['Contents'] }) | Should -BeNullOrEmpty
        (Get-Item $p4.Id).images.L.S | Should -Be "$base/shoe.jpg"
    }

    It 'takes the bucket and the CDN domain from the pipeline (AssetCdnInfo-like DomainName)' {
        $p5 = New-EcommerceProduct -TableName $table -NameEn 'Hat' -Price 3000 -Category 'Bags' -Images "$base/shoe.jpg" -Confirm:$false
        $r = [pscustomobject]@{ DomainName = 'cdn.example.cm'; BucketName = $bucket; TableName = $table } | Publish-ProductAsset -ProductId $p5.Id -Confirm:$false
        $r.ProductsUpdated | Should -Be 1
        (Get-Item $p5.Id).images.L.S | Should -BeLike "https://cdn.example.cm/products/$($p5.Id)/*.jpg"
    }

    It 'refuses <Case> with <ErrorId> before any AWS call' -ForEach @(
        @{ Case = 'a bad bucket name'; ErrorId = 'InvalidBucketName'; Call = { Publish-ProductAsset -TableName valid-name -BucketName 'Bad_Bucket' -CdnDomain 'd1.cloudfront.net' -EndpointUrl 'http://127.0.0.1:9' } }
        @{ Case = 'a bad CDN domain'; ErrorId = 'InvalidCdnDomain'; Call = { Publish-ProductAsset -TableName valid-name -BucketName 'good-bucket' -CdnDomain 'not a domain' -EndpointUrl 'http://127.0.0.1:9' } }
        @{ Case = 'a missing source root'; ErrorId = 'SourceRootNotFound'; Call = { Publish-ProductAsset -TableName valid-name -BucketName 'good-bucket' -CdnDomain 'd1.cloudfront.net' -SourceRoot '/no/such/dir' -EndpointUrl 'http://127.0.0.1:9' } }
    ) {
        $err = $null
        try { & $Call } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
    }

    It 'stops at once on a missing bucket, touching no product' {
        Get-ErrorId { Publish-ProductAsset -TableName $table -BucketName (New-TestName 'nobucket') -CdnDomain $cdn -Confirm:$false } | Should -BeLike 'Aws.NoSuchBucket,*'
    }
}
