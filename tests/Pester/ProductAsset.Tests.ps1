BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../TestServices.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'MigrationHelpers.psm1') -Force   # Start-ThrottleProxy: counts the requests by method
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
    function Get-ObjectBytes([string] $Key) {
        $file = Join-Path $TestDrive "get-$([guid]::NewGuid().ToString('N')).bin"
        $null = Invoke-AwsCli s3api get-object --bucket $bucket --key $Key $file
        [IO.File]::ReadAllBytes($file)
    }
    function Get-ProxyRequests($Proxy) {
        # {"PUT": n, "GET": n, "HEAD": n, "DynamoDB.UpdateItem": n, ...} as seen by the proxy
        $counts = @{}
        foreach ($p in (Invoke-RestMethod "$($Proxy.Url)/__stats").requests.PSObject.Properties) { $counts[$p.Name] = [long]$p.Value }
        $counts
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

    # A static web server; GET /race.png first writes another body at the key named in race.key (with the AWS CLI), so that
    # object appears after Publish-ProductAsset listed the bucket and before it uploads: the If-None-Match path.
    $raceServer = Join-Path $TestDrive 'race_server.py'
    Set-Content -Path $raceServer -Value @'
import http.server, os, subprocess, sys
port, root = int(sys.argv[1]), sys.argv[2]
class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=root, **kwargs)
    def do_GET(self):
        if self.path == '/race.png':
            with open(os.path.join(root, 'race.key')) as f:
                bucket, key = f.read().split()
            subprocess.run(['/usr/bin/aws', '--endpoint-url', os.environ['AWS_ENDPOINT_URL'], '--region', 'us-east-1', 's3api', 'put-object',
                            '--bucket', bucket, '--key', key, '--body', os.path.join(root, 'intruder.bin'), '--content-type', 'text/plain'],
                           check=True, capture_output=True)
        return super().do_GET()
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(('127.0.0.1', port), Handler).serve_forever()
'@
    $script:port = Get-FreePort
    $script:server = Start-Process -FilePath python3 -ArgumentList @($raceServer, "$port", $web) -PassThru `
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

    $script:rejectFolder = Join-Path $TestDrive 'rejects'
    New-Item -ItemType Directory -Path $rejectFolder | Out-Null
    $script:result = Publish-ProductAsset -TableName $table -BucketName $bucket -CdnDomain $cdn -SourceRoot $uploads -RejectPath $rejectFolder `
        -ErrorVariable publishErrors -ErrorAction SilentlyContinue -WarningVariable publishWarnings -WarningAction SilentlyContinue -Confirm:$false
}

AfterAll {
    if ($server) { Stop-ProcessTree $server }
    Remove-EcommerceTable -TableName $table -Force -Confirm:$false -ErrorAction SilentlyContinue
    if (Test-AwsCli s3api head-bucket --bucket $bucket) {
        & /usr/bin/aws --endpoint-url $env:AWS_ENDPOINT_URL --region us-east-1 s3 rb "s3://$bucket" --force *> $null
    }
}

Describe 'Publish-ProductAsset' -Tag Integration {
    It 'a mistyped table is TableNotFound naming it, not a DynamoDB ResourceNotFoundException' {
        $missing = New-TestName 'nosuchtable'
        $record = $null
        try { Publish-ProductAsset -TableName $missing -BucketName $bucket -CdnDomain $cdn -SourceRoot $TestDrive -Confirm:$false -ErrorAction Stop } catch { $record = $_ }
        $record.FullyQualifiedErrorId | Should -BeLike 'TableNotFound,*'
        $record.TargetObject | Should -Be $missing
    }

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

    It 'writes each bad image to the rejects file and warns once, with the count and the path (no error per image)' {
        $publishErrors | Should -BeNullOrEmpty
        @($publishWarnings).Count | Should -Be 1
        $file = @(Get-ChildItem $rejectFolder -Filter 'asset-rejects-*.jsonl')
        $file.Count | Should -Be 1
        $result.RejectPath | Should -Be $file[0].FullName
        $lines = @(Get-Content $file[0].FullName | ConvertFrom-Json)
        $lines.reason | Sort-Object | Should -Be @('DownloadFailed', 'FileNotFound', 'NotAnImage', 'OutsideSourceRoot')
        ($lines | Where-Object reason -eq 'FileNotFound').image | Should -Be '/uploads/missing.jpg'
        ($lines | Where-Object reason -eq 'DownloadFailed').productId | Should -Be $p1.Id
        ($result.Rejects | Where-Object Reason -eq 'FileNotFound').Image | Should -Be '/uploads/missing.jpg'
        $warning = "$($publishWarnings[0])"
        $warning | Should -Match '^4 images were not published \('
        $warning | Should -Match 'FileNotFound 1'
        $warning | Should -Match ([regex]::Escape($file[0].FullName))
    }

    It 'turns 40 missing images into one warning and 40 lines in ./asset-rejects-*.jsonl by default' {
        $missing = 1..40 | ForEach-Object { "/uploads/gone-$_.jpg" }
        $p7 = New-EcommerceProduct -TableName $table -NameEn 'Gone' -Price 100 -Category 'Bags' -Images $missing -Confirm:$false
        $folder = Join-Path $TestDrive 'cwd'
        New-Item -ItemType Directory -Path $folder | Out-Null
        Push-Location $folder
        try {
            $r = Publish-ProductAsset -TableName $table -BucketName $bucket -CdnDomain $cdn -SourceRoot $uploads -ProductId $p7.Id -Confirm:$false `
                -ErrorVariable errs -WarningVariable warns -WarningAction SilentlyContinue
        }
        finally { Pop-Location }
        $errs | Should -BeNullOrEmpty
        @($warns).Count | Should -Be 1
        "$($warns[0])" | Should -Match '^40 images were not published \(FileNotFound 40\)'
        $file = @(Get-ChildItem $folder -Filter 'asset-rejects-*.jsonl')
        $file.Count | Should -Be 1
        $r.RejectPath | Should -Be $file[0].FullName
        @(Get-Content $file[0].FullName).Count | Should -Be 40
        $r.ImagesRejected | Should -Be 40
        (Get-ProductItem $table $p7.Id).images.L.S | Should -Be $missing
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
        $item = Get-ProductItem $table $p1.Id
        $images = $item.images.L.S
        $images[0] | Should -Be "https://$cdn/products/$($p1.Id)/$(Get-Sha $png).png"
        $images[1] | Should -Be "https://$cdn/products/$($p1.Id)/$(Get-Sha $jpg).jpg"
        $images[2] | Should -Be '/uploads/missing.jpg'
        $images[3] | Should -Be "$base/nope.jpg"
        $item.imagesOriginal.L.S | Should -Be @('/uploads/phone.png', "$base/shoe.jpg", '/uploads/missing.jpg', "$base/nope.jpg")
    }

    It 'is idempotent: a second run uploads nothing and rewrites nothing (no PUT reaches S3)' {
        $proxy = Start-ThrottleProxy -Target $env:AWS_ENDPOINT_URL -Throttle 0 -Unprocessed 0
        try {
            $again = Publish-ProductAsset -TableName $table -BucketName $bucket -CdnDomain $cdn -SourceRoot $uploads -ProductId $p1.Id, $p2.Id, $p3.Id `
                -EndpointUrl $proxy.Url -RejectPath (Join-Path $TestDrive 'again.jsonl') -WarningAction SilentlyContinue -Confirm:$false
            $requests = Get-ProxyRequests $proxy
        }
        finally { Stop-ProcessTree $proxy.Process }
        $again.ImagesUploaded | Should -Be 0
        $again.ProductsUpdated | Should -Be 0
        $again.ImagesAlreadyPublished | Should -Be 5
        $again.ImagesRejected | Should -Be 4
        $requests['PUT'] | Should -BeNullOrEmpty
        $requests['DynamoDB.UpdateItem'] | Should -BeNullOrEmpty
    }

    It 'after a crash between upload and rewrite: lists once, sends no PUT and no HEAD, and keeps the first imagesOriginal' {
        Set-EcommerceProduct -TableName $table -Id $p3.Id -Images $p3Original -Confirm:$false | Out-Null
        $proxy = Start-ThrottleProxy -Target $env:AWS_ENDPOINT_URL -Throttle 0 -Unprocessed 0
        try {
            $r = Publish-ProductAsset -TableName $table -BucketName $bucket -CdnDomain $cdn -SourceRoot $uploads -ProductId $p3.Id -EndpointUrl $proxy.Url -Confirm:$false
            $requests = Get-ProxyRequests $proxy
        }
        finally { Stop-ProcessTree $proxy.Process }
        $requests['PUT'] | Should -BeNullOrEmpty
        $requests['HEAD'] | Should -BeNullOrEmpty
        $requests['GET'] | Should -Be 1            # one ListObjectsV2 of products/<id>/
        $requests['DynamoDB.UpdateItem'] | Should -Be 1
        $r.ImagesSkipped | Should -Be 2
        $r.ImagesUploaded | Should -Be 0
        $r.ProductsUpdated | Should -Be 1
        $item = Get-ProductItem $table $p3.Id
        $item.images.L.S | ForEach-Object { $_ | Should -BeLike "https://$cdn/products/$($p3.Id)/*" }
        $item.imagesOriginal.L.S | Should -Be $p3Original
    }

    It 'never overwrites an object already at the key: same size is taken as published, another size is rejected' {
        $keep = New-Bytes 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A
        $odd = New-Bytes 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A 4000
        [IO.File]::WriteAllBytes((Join-Path $uploads 'keep.png'), $keep)
        [IO.File]::WriteAllBytes((Join-Path $uploads 'odd.png'), $odd)
        $p6 = New-EcommerceProduct -TableName $table -NameEn 'Lamp' -Price 8000 -Category 'Home' -Images '/uploads/keep.png', '/uploads/odd.png' -Confirm:$false
        $keepKey = "products/$($p6.Id)/$(Get-Sha $keep).png"
        $oddKey = "products/$($p6.Id)/$(Get-Sha $odd).png"
        # other bodies placed beforehand: one of the image's size, one shorter
        $sameSize = [byte[]]::new($keep.Length); [System.Random]::new(7).NextBytes($sameSize)
        $shorter = [byte[]]::new(100); [System.Random]::new(8).NextBytes($shorter)
        [IO.File]::WriteAllBytes((Join-Path $TestDrive 'same.bin'), $sameSize)
        [IO.File]::WriteAllBytes((Join-Path $TestDrive 'short.bin'), $shorter)
        $null = Invoke-AwsCli s3api put-object --bucket $bucket --key $keepKey --body (Join-Path $TestDrive 'same.bin') --content-type text/plain
        $null = Invoke-AwsCli s3api put-object --bucket $bucket --key $oddKey --body (Join-Path $TestDrive 'short.bin') --content-type text/plain

        $r = Publish-ProductAsset -TableName $table -BucketName $bucket -CdnDomain $cdn -SourceRoot $uploads -ProductId $p6.Id `
            -RejectPath (Join-Path $TestDrive 'p6.jsonl') -WarningAction SilentlyContinue -Confirm:$false
        $r.ImagesUploaded | Should -Be 0
        $r.ImagesSkipped | Should -Be 1
        ($r.Rejects | Where-Object Reason -eq 'ObjectMismatch').Image | Should -Be '/uploads/odd.png'
        Get-Sha (Get-ObjectBytes $keepKey) | Should -Be (Get-Sha $sameSize)
        Get-Sha (Get-ObjectBytes $oddKey) | Should -Be (Get-Sha $shorter)
        (Invoke-AwsCli s3api head-object --bucket $bucket --key $keepKey).ContentType | Should -Be 'text/plain'
        (Get-ProductItem $table $p6.Id).images.L.S | Should -Be @("https://$cdn/$keepKey", '/uploads/odd.png')
    }

    It 'never overwrites an object written after the listing (conditional PUT, 412 PreconditionFailed)' {
        $race = New-Bytes 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A
        $intruder = [byte[]]::new($race.Length); [System.Random]::new(9).NextBytes($intruder)
        [IO.File]::WriteAllBytes((Join-Path $web 'race.png'), $race)
        [IO.File]::WriteAllBytes((Join-Path $web 'intruder.bin'), $intruder)
        $p8 = New-EcommerceProduct -TableName $table -NameEn 'Race' -Price 100 -Category 'Bags' -Images "$base/race.png" -Confirm:$false
        $key = "products/$($p8.Id)/$(Get-Sha $race).png"
        Set-Content -Path (Join-Path $web 'race.key') -Value "$bucket $key"
        $listed = Invoke-AwsCli s3api list-objects-v2 --bucket $bucket --prefix "products/$($p8.Id)/"
        $(if ($listed) { $listed.PSObject.Properties['Contents'] }) | Should -BeNullOrEmpty

        $verbose = Publish-ProductAsset -TableName $table -BucketName $bucket -CdnDomain $cdn -ProductId $p8.Id -Confirm:$false -Verbose 4>&1
        $r = $verbose | Where-Object { $_ -is [EcommerceAws.Output.AssetMigrationResult] }
        $r.ImagesUploaded | Should -Be 0
        $r.ImagesSkipped | Should -Be 1
        ($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match '412 PreconditionFailed'
        Get-Sha (Get-ObjectBytes $key) | Should -Be (Get-Sha $intruder)
        (Invoke-AwsCli s3api head-object --bucket $bucket --key $key).ContentType | Should -Be 'text/plain'
    }

    It 'uploads an image over 8 MB in 8 MB parts, byte for byte, and not again on a re-run' {
        $big = New-Bytes 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A (9MB + 123)
        [IO.File]::WriteAllBytes((Join-Path $uploads 'big.png'), $big)
        $p9 = New-EcommerceProduct -TableName $table -NameEn 'Poster XXL' -Price 15000 -Category 'Art' -Images '/uploads/big.png' -Confirm:$false
        $key = "products/$($p9.Id)/$(Get-Sha $big).png"
        $r = Publish-ProductAsset -TableName $table -BucketName $bucket -CdnDomain $cdn -SourceRoot $uploads -ProductId $p9.Id -Confirm:$false
        $r.ImagesUploaded | Should -Be 1
        $r.BytesUploaded | Should -Be $big.Length
        $head = Invoke-AwsCli s3api head-object --bucket $bucket --key $key
        $head.ETag | Should -Match '-2"$'                   # a multipart object of 2 parts
        $head.ContentLength | Should -Be $big.Length
        $head.ContentType | Should -Be 'image/png'
        $head.CacheControl | Should -Be 'public, max-age=31536000, immutable'
        $head.Metadata.sha256 | Should -Be (Get-Sha $big)
        (Invoke-AwsCli s3api head-object --bucket $bucket --key $key --part-number 1).ContentLength | Should -Be 8MB
        Get-Sha (Get-ObjectBytes $key) | Should -Be (Get-Sha $big)
        $listed = Invoke-AwsCli s3api list-multipart-uploads --bucket $bucket
        $(if ($listed) { $listed.PSObject.Properties['Uploads'] }) | Should -BeNullOrEmpty   # nothing left half-done

        Set-EcommerceProduct -TableName $table -Id $p9.Id -Images '/uploads/big.png' -Confirm:$false | Out-Null
        $again = Publish-ProductAsset -TableName $table -BucketName $bucket -CdnDomain $cdn -SourceRoot $uploads -ProductId $p9.Id -Confirm:$false
        $again.ImagesUploaded | Should -Be 0
        $again.ImagesSkipped | Should -Be 1
        (Get-ProductItem $table $p9.Id).images.L.S | Should -Be "https://$cdn/$key"
    }

    It 'a product whose rewrite keeps failing is a RewriteFailed reject; the run goes on and a re-run rewrites it' {
        $a = New-Bytes 0xFF, 0xD8, 0xFF, 0xE0
        [IO.File]::WriteAllBytes((Join-Path $uploads 'throttled.jpg'), $a)
        $p10 = New-EcommerceProduct -TableName $table -NameEn 'Throttled' -Price 100 -Category 'Bags' -Images '/uploads/throttled.jpg' -Confirm:$false
        $proxy = Start-ThrottleProxy -Target $env:AWS_ENDPOINT_URL -Throttle 0 -Unprocessed 0 -FailOperation UpdateItem
        try {
            $r = Publish-ProductAsset -TableName $table -BucketName $bucket -CdnDomain $cdn -SourceRoot $uploads -ProductId $p10.Id -EndpointUrl $proxy.Url `
                -RejectPath (Join-Path $TestDrive 'p10.jsonl') -WarningVariable warns -WarningAction SilentlyContinue -Confirm:$false
        }
        finally { Stop-ProcessTree $proxy.Process }
        $r.ImagesUploaded | Should -Be 1
        $r.ProductsUpdated | Should -Be 0
        $r.ImagesRejected | Should -Be 0
        ($r.Rejects | Where-Object Reason -eq 'RewriteFailed').ProductId | Should -Be $p10.Id
        "$($warns[0])" | Should -Match '1 product was not rewritten \(RewriteFailed 1\)'
        (Get-ProductItem $table $p10.Id).images.L.S | Should -Be '/uploads/throttled.jpg'

        $again = Publish-ProductAsset -TableName $table -BucketName $bucket -CdnDomain $cdn -SourceRoot $uploads -ProductId $p10.Id -Confirm:$false
        $again.ImagesUploaded | Should -Be 0
        $again.ImagesSkipped | Should -Be 1
        $again.ProductsUpdated | Should -Be 1
        (Get-ProductItem $table $p10.Id).images.L.S | Should -Be "https://$cdn/products/$($p10.Id)/$(Get-Sha $a).jpg"
    }

    It '-WhatIf uploads and rewrites nothing but says what it would do' {
        $p4 = New-EcommerceProduct -TableName $table -NameEn 'Bag' -Price 7000 -Category 'Bags' -Images "$base/shoe.jpg" -Confirm:$false
        $r = Publish-ProductAsset -TableName $table -BucketName $bucket -CdnDomain $cdn -ProductId $p4.Id -WhatIf
        $r.WhatIf | Should -BeTrue
        $r.ImagesUploaded | Should -Be 1
        $listed = Invoke-AwsCli s3api list-objects-v2 --bucket $bucket --prefix "products/$($p4.Id)/"
        $(if ($listed) { $listed.PSObject.Properties['Contents'] }) | Should -BeNullOrEmpty
        (Get-ProductItem $table $p4.Id).images.L.S | Should -Be "$base/shoe.jpg"
    }

    It 'takes the bucket and the CDN domain from the pipeline (AssetCdnInfo-like DomainName)' {
        $p5 = New-EcommerceProduct -TableName $table -NameEn 'Hat' -Price 3000 -Category 'Bags' -Images "$base/shoe.jpg" -Confirm:$false
        $r = [pscustomobject]@{ DomainName = 'cdn.example.cm'; BucketName = $bucket; TableName = $table } | Publish-ProductAsset -ProductId $p5.Id -Confirm:$false
        $r.ProductsUpdated | Should -Be 1
        (Get-ProductItem $table $p5.Id).images.L.S | Should -BeLike "https://cdn.example.cm/products/$($p5.Id)/*.jpg"
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
