# ConvertTo-EcommerceItem and the document sources: docs/DESIGN.md §4 keys and type rules, rejects, MongoDB vs dump files, secrets.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../TestServices.psm1') -Force
    Import-EcommerceAws
    $script:repo = if ($env:ECOM_REPO_ROOT) { $env:ECOM_REPO_ROOT } else { Join-Path $PSScriptRoot '../..' }
    $script:samples = Join-Path $script:repo 'samples'
    $script:work = Join-Path ([System.IO.Path]::GetTempPath()) (New-TestName 'mapping')
    New-Item -ItemType Directory -Path $script:work | Out-Null
    $script:collections = [ordered]@{ Category = 'categories'; Product = 'products'; User = 'users'; Order = 'orders' }

    function Get-Attr($Preview, [string] $Name) { $Preview.Item[$Name] }
    function ConvertTo-Canonical($Previews) { @($Previews | Sort-Object Id | ForEach-Object { $_ | ConvertTo-Json -Depth 20 -Compress }) }
}

AfterAll {
    Remove-Item $script:work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'ConvertTo-EcommerceItem: keys and types per docs/DESIGN.md §4' -Tag Unit {
    Context 'Product' {
        BeforeAll {
            $json = '{"_id":{"$oid":"65f1a2b3c4d5e6f708192a3b"},"nameEn":"Penja white pepper","nameFr":"Poivre blanc de Penja","category":"Alimentation",' +
                '"price":{"$numberInt":"6500"},"promo":{"$numberDecimal":"12500.50"},"soldCount":{"$numberLong":"9007199254740993"},"rating":{"$numberDouble":"4.7"},' +
                '"supplierId":{"$oid":"65f1a2b3c4d5e6f708192a00"},"createdAt":{"$date":{"$numberLong":"1709288130123"}},"images":["/uploads/products/penja.jpg",{"$numberInt":"2"}],' +
                '"dims":{"w":{"$numberInt":"10"},"tags":[]},"thumb":{"$binary":{"base64":"AQID","subType":"00"}},"isActive":true,"discontinuedAt":null,"emptyNote":"","__v":{"$numberInt":"3"}}'
            $p = ConvertTo-EcommerceItem -Entity Product -InputObject $json
        }
        It 'has the product keys, id and entityType' {
            $p | Should -BeOfType ([EcommerceAws.Output.EcommerceItemPreview])
            $p.Rejected | Should -BeFalse
            $p.Id | Should -Be '65f1a2b3c4d5e6f708192a3b'
            $p.PK | Should -Be 'PRODUCT#65f1a2b3c4d5e6f708192a3b'
            $p.SK | Should -Be 'PRODUCT#65f1a2b3c4d5e6f708192a3b'
            $p.GSI1PK | Should -Be 'CATEGORY#Alimentation'
            $p.GSI1SK | Should -Be 'PRODUCT#Penja white pepper'
            (Get-Attr $p 'id').S | Should -Be '65f1a2b3c4d5e6f708192a3b'
            (Get-Attr $p 'entityType').S | Should -Be 'PRODUCT'
            @($p.Item.Keys)[0..5] | Should -Be @('PK', 'SK', 'GSI1PK', 'GSI1SK', 'id', 'entityType')
        }
        It 'copies every other field and drops _id and __v' {
            $p.Item.Contains('_id') | Should -BeFalse
            $p.Item.Contains('__v') | Should -BeFalse
            foreach ($f in 'nameEn', 'nameFr', 'category', 'price', 'promo', 'soldCount', 'rating', 'supplierId', 'createdAt', 'images', 'dims', 'thumb', 'isActive', 'discontinuedAt', 'emptyNote') {
                $p.Item.Contains($f) | Should -BeTrue -Because "field $f is copied"
            }
        }
        It 'converts numbers to N with exact text' {
            (Get-Attr $p 'price').N | Should -Be '6500'
            (Get-Attr $p 'promo').N | Should -Be '12500.5'
            (Get-Attr $p 'soldCount').N | Should -Be '9007199254740993'
            (Get-Attr $p 'rating').N | Should -Be '4.7'
        }
        It 'converts ObjectId to 24-hex S and dates to ISO-8601 UTC with milliseconds' {
            (Get-Attr $p 'supplierId').S | Should -Be '65f1a2b3c4d5e6f708192a00'
            (Get-Attr $p 'createdAt').S | Should -Be '2024-03-01T10:15:30.123Z'
        }
        It 'converts arrays to L, documents to M, binary to B, booleans, null and empty strings' {
            $images = (Get-Attr $p 'images').L
            $images[0].S | Should -Be '/uploads/products/penja.jpg'
            $images[1].N | Should -Be '2'
            (Get-Attr $p 'dims').M['w'].N | Should -Be '10'
            @((Get-Attr $p 'dims').M['tags'].L).Count | Should -Be 0
            (Get-Attr $p 'thumb').B | Should -Be 'AQID'
            (Get-Attr $p 'isActive').BOOL | Should -BeTrue
            (Get-Attr $p 'discontinuedAt').NULL | Should -BeTrue
            (Get-Attr $p 'emptyNote').S | Should -Be ''
        }
        It 'reports the DynamoDB item size and write units' {
            $p.SizeBytes | Should -BeGreaterThan 300
            $p.SizeBytes | Should -BeLessThan 1024
            $p.WriteUnits | Should -Be 1
        }
        It 'maps a hashtable, a PSCustomObject and a relaxed JSON string the same way' {
            $relaxed = '{"_id":{"$oid":"65f1a2b3c4d5e6f708192a3b"},"nameEn":"Rice","category":"Alimentation","price":4500,"when":{"$date":"2024-03-01T10:15:30Z"}}'
            $fromJson = ConvertTo-EcommerceItem -Entity Product -InputObject $relaxed
            $fromObject = $relaxed | ConvertFrom-Json | ConvertTo-EcommerceItem -Entity Product
            $fromHash = ConvertTo-EcommerceItem -Entity Product -InputObject ([ordered]@{ _id = @{ '$oid' = '65f1a2b3c4d5e6f708192a3b' }; nameEn = 'Rice'; category = 'Alimentation'; price = 4500; when = [datetime]::new(2024, 3, 1, 10, 15, 30, [DateTimeKind]::Utc) })
            ($fromObject.Item | ConvertTo-Json -Depth 10) | Should -Be ($fromJson.Item | ConvertTo-Json -Depth 10)
            ($fromHash.Item | ConvertTo-Json -Depth 10) | Should -Be ($fromJson.Item | ConvertTo-Json -Depth 10)
            (Get-Attr $fromHash 'when').S | Should -Be '2024-03-01T10:15:30.000Z'
        }
        It 'maps [long], [decimal] and [byte[]] values of a hashtable to N and B' {
            $h = ConvertTo-EcommerceItem -Entity Product -InputObject @{ _id = 'sku-1'; nameEn = 'Phone'; category = 'Electronics'; big = [long]12345678901; price = [decimal]'89000.50'; raw = [byte[]](1, 2) }
            $h.PK | Should -Be 'PRODUCT#sku-1'
            (Get-Attr $h 'big').N | Should -Be '12345678901'
            (Get-Attr $h 'price').N | Should -Be '89000.5'
            (Get-Attr $h 'raw').B | Should -Be 'AQI='
        }
    }

    Context 'User' {
        BeforeAll {
            $u = ConvertTo-EcommerceItem -Entity User -InputObject '{"_id":{"$oid":"65f1a2b3c4d5e6f708192a3c"},"name":"Amina Njoya","email":"  Amina.Njoya@Example.CM ","password":"$2b$10$CANARYhashCANARYhashCANARYhashCANARYhashCANARYhash12","role":"admin"}'
        }
        It 'keys the user by id and the trimmed, lower-cased e-mail' {
            $u.PK | Should -Be 'USER#65f1a2b3c4d5e6f708192a3c'
            $u.SK | Should -Be 'USER#65f1a2b3c4d5e6f708192a3c'
            $u.GSI1PK | Should -Be 'EMAIL#amina.njoya@example.cm'
            $u.GSI1SK | Should -Be 'USER#65f1a2b3c4d5e6f708192a3c'
            (Get-Attr $u 'entityType').S | Should -Be 'USER'
        }
        It 'keeps the e-mail attribute as given' {
            (Get-Attr $u 'email').S | Should -Be '  Amina.Njoya@Example.CM '
        }
        It 'copies the password attribute but shows it masked' {
            $u.Item.Contains('password') | Should -BeTrue
            (Get-Attr $u 'password').S | Should -Be '****'
            $u.SizeBytes | Should -BeGreaterThan 60 -Because 'the size counts the real 60-character hash'
        }
    }

    Context 'Order' {
        It 'keys the order by id, the user and the creation date' {
            $o = ConvertTo-EcommerceItem -Entity Order -InputObject '{"_id":{"$oid":"65f1a2b3c4d5e6f708192a3d"},"userId":{"$oid":"65f1a2b3c4d5e6f708192a3c"},"items":[{"productId":{"$oid":"65f1a2b3c4d5e6f708192a3b"},"qty":2,"unitPrice":6500}],"total":{"$numberLong":"13000"},"status":"paid","paymentMethod":"MTN Mobile Money","createdAt":{"$date":"2024-03-01T10:15:30.120Z"}}'
            $o.PK | Should -Be 'ORDER#65f1a2b3c4d5e6f708192a3d'
            $o.SK | Should -Be 'ORDER#65f1a2b3c4d5e6f708192a3d'
            $o.GSI1PK | Should -Be 'USER#65f1a2b3c4d5e6f708192a3c'
            $o.GSI1SK | Should -Be 'ORDER#2024-03-01T10:15:30.120Z'
            (Get-Attr $o 'userId').S | Should -Be '65f1a2b3c4d5e6f708192a3c'
            (Get-Attr $o 'items').L[0].M['productId'].S | Should -Be '65f1a2b3c4d5e6f708192a3b'
            (Get-Attr $o 'items').L[0].M['qty'].N | Should -Be '2'
            (Get-Attr $o 'total').N | Should -Be '13000'
            (Get-Attr $o 'paymentMethod').S | Should -Be 'MTN Mobile Money'
        }
    }

    Context 'Category' {
        It 'puts every category under TYPE#category, sorted by name' {
            $c = ConvertTo-EcommerceItem -Entity Category -InputObject '{"_id":{"$oid":"65f1a2b3c4d5e6f708192a3e"},"name":"Beauté & Santé","nameEn":"Beauty & Health","nameFr":"Beauté & Santé"}'
            $c.PK | Should -Be 'CATEGORY#65f1a2b3c4d5e6f708192a3e'
            $c.GSI1PK | Should -Be 'TYPE#category'
            $c.GSI1SK | Should -Be 'CATEGORY#Beauté & Santé'
            (Get-Attr $c 'nameFr').S | Should -Be 'Beauté & Santé'
            (Get-Attr $c 'entityType').S | Should -Be 'CATEGORY'
        }
    }
}

Describe 'ConvertTo-EcommerceItem: rejects are results, one per reason' -Tag Unit {
    It 'MissingField names the key field' {
        $r = ConvertTo-EcommerceItem -Entity Product -InputObject '{"_id":"p1","nameFr":"Sac","category":"Clothing"}'
        $r.Rejected | Should -BeTrue
        $r.Id | Should -Be 'p1'
        $r.RejectReason | Should -Be 'MissingField'
        $r.RejectField | Should -Be 'nameEn'
        $r.RejectDetail | Should -Match 'nameEn'
        $r.Item | Should -BeNullOrEmpty
        (ConvertTo-EcommerceItem -Entity Order -InputObject '{"_id":"o1","createdAt":{"$date":"2024-03-01T00:00:00Z"}}').RejectField | Should -Be 'userId'
        (ConvertTo-EcommerceItem -Entity Order -InputObject '{"_id":"o1","userId":"u1"}').RejectField | Should -Be 'createdAt'
        (ConvertTo-EcommerceItem -Entity User -InputObject '{"_id":"u1","email":"   "}').RejectField | Should -Be 'email'
        (ConvertTo-EcommerceItem -Entity Category -InputObject '{"_id":"c1","nameEn":"x"}').RejectField | Should -Be 'name'
    }
    It 'InvalidId for a document without a usable _id' {
        $r = ConvertTo-EcommerceItem -Entity Category -InputObject '{"_id":{"a":1},"name":"x"}'
        $r.RejectReason | Should -Be 'InvalidId'
        $r.RejectField | Should -Be '_id'
    }
    It 'InvalidNumber for NaN, with the field path' {
        $r = ConvertTo-EcommerceItem -Entity Product -InputObject '{"_id":"p2","nameEn":"x","category":"c","price":{"$numberDouble":"NaN"}}'
        $r.RejectReason | Should -Be 'InvalidNumber'
        $r.RejectField | Should -Be 'price'
        $r.RejectDetail | Should -Match 'NaN'
    }
    It 'InvalidNumber for Infinity deep inside an array' {
        $r = ConvertTo-EcommerceItem -Entity Order -InputObject '{"_id":"o2","userId":"u","createdAt":"2024","items":[{"qty":1},{"qty":1},{"qty":{"$numberDecimal":"-Infinity"}}]}'
        $r.RejectReason | Should -Be 'InvalidNumber'
        $r.RejectField | Should -Be 'items.2.qty'
    }
    It 'takes the whole DynamoDB number range (1E+40 is written as plain text) and rejects overflow and underflow with the value' {
        $ok = ConvertTo-EcommerceItem -Entity Product -InputObject '{"_id":"p3","nameEn":"x","category":"c","price":{"$numberDecimal":"1E+40"}}'
        $ok.Rejected | Should -BeFalse
        $ok.Item['price'].N | Should -Be ('1' + '0' * 40)
        $r = ConvertTo-EcommerceItem -Entity Product -InputObject '{"_id":"p3","nameEn":"x","category":"c","price":{"$numberDecimal":"1E+200"}}'
        $r.RejectReason | Should -Be 'InvalidNumber'
        $r.RejectField | Should -Be 'price'
        $r.RejectDetail | Should -Match '1E\+200.*overflow'
        $u = ConvertTo-EcommerceItem -Entity Product -InputObject '{"_id":"p3","nameEn":"x","category":"c","w":{"$numberDecimal":"1E-131"}}'
        $u.RejectDetail | Should -Match '1E-131.*underflow'
        (ConvertTo-EcommerceItem -Entity Product -InputObject '{"_id":"p3","nameEn":"x","category":"c","w":{"$numberDecimal":"1E-130"}}').Rejected | Should -BeFalse
    }
    It 'UnsupportedBsonType for a regex, JavaScript code and MinKey' {
        $regex = ConvertTo-EcommerceItem -Entity Product -InputObject '{"_id":"p4","nameEn":"x","category":"c","pattern":{"$regularExpression":{"pattern":"^a","options":"i"}}}'
        $regex.RejectReason | Should -Be 'UnsupportedBsonType'
        $regex.RejectField | Should -Be 'pattern'
        $regex.RejectDetail | Should -Match 'RegularExpression'
        $code = ConvertTo-EcommerceItem -Entity Category -InputObject @{ _id = 'c2'; name = 'x'; rule = { $true } }
        $code.RejectReason | Should -Be 'UnsupportedBsonType'
        $code.RejectField | Should -Be 'rule'
        $min = ConvertTo-EcommerceItem -Entity Category -InputObject '{"_id":"c3","name":"x","meta":{"low":{"$minKey":1}}}'
        $min.RejectField | Should -Be 'meta.low'
    }
    It 'ItemTooLarge beyond 400 KB by DynamoDB size rules' {
        $r = ConvertTo-EcommerceItem -Entity Product -InputObject @{ _id = 'p5'; nameEn = 'x'; category = 'c'; description = ('é' * 205000) }
        $r.RejectReason | Should -Be 'ItemTooLarge'
        $r.RejectDetail | Should -Match '409,600'
        $ok = ConvertTo-EcommerceItem -Entity Product -InputObject @{ _id = 'p5'; nameEn = 'x'; category = 'c'; description = ('a' * 400000) }
        $ok.Rejected | Should -BeFalse
        $ok.WriteUnits | Should -Be 391
    }
    It 'bad input is a non-terminating InvalidDocument error and the pipeline carries on' {
        $out = '{"_id":"c9","name":"ok"}', 'not json', '{"_id":"c10","name":"ok too"}' | ConvertTo-EcommerceItem -Entity Category -ErrorVariable errs -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 2
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'InvalidDocument*'
    }
}

Describe 'Document sources: files and MongoDB give the same items' -Tag Integration {
    BeforeAll {
        $script:db = 'shop' + (New-TestName 'm').Replace('-', '')
        foreach ($c in $script:collections.Values) {
            Invoke-MongoClient --uri $env:ECOM_TEST_MONGO_URI insert --db $script:db --collection $c --file (Join-Path $script:samples "shop/$c.json") | Out-Null
        }
        $script:mongoUri = "$($env:ECOM_TEST_MONGO_URI.TrimEnd('/'))/$($script:db)"
    }
    AfterAll {
        foreach ($c in $script:collections.Values) { Invoke-MongoClient --uri $env:ECOM_TEST_MONGO_URI drop --db $script:db --collection $c | Out-Null }
    }

    It '<_> from MongoDB, the mongodump .bson and the mongoexport .json are identical' -ForEach @('Category', 'Product', 'User', 'Order') {
        $collection = $script:collections[$_]
        $live = ConvertTo-EcommerceItem -Entity $_ -MongoUri $script:mongoUri
        $dump = ConvertTo-EcommerceItem -Entity $_ -Path (Join-Path $script:samples "dump/shop/$collection.bson")
        $export = ConvertTo-EcommerceItem -Entity $_ -Path (Join-Path $script:samples "shop/$collection.json")
        $count = [int](Invoke-MongoClient --uri $env:ECOM_TEST_MONGO_URI count --db $script:db --collection $collection)
        @($live).Count | Should -Be $count
        @($dump).Count | Should -Be $count
        ConvertTo-Canonical $live | Should -Be (ConvertTo-Canonical $dump)
        ConvertTo-Canonical $export | Should -Be (ConvertTo-Canonical $dump)
    }
    It 'reads MongoDB in _id order and the samples reject exactly what samples/README.md lists' {
        $all = foreach ($e in $script:collections.Keys) { ConvertTo-EcommerceItem -Entity $e -MongoUri $script:mongoUri }
        $products = @($all | Where-Object Entity -eq 'Product')
        ($products.Id -join ',') | Should -Be (($products.Id | Sort-Object) -join ',')
        $rejects = @($all | Where-Object Rejected | ForEach-Object { "$($_.Entity)/$($_.RejectReason)/$($_.RejectField)" }) | Sort-Object
        $rejects | Should -Be (@('Category/UnsupportedBsonType/isVisible', 'Order/MissingField/userId', 'Product/InvalidNumber/price', 'Product/InvalidNumber/price',
                'Product/MissingField/nameEn', 'Product/UnsupportedBsonType/searchPattern', 'User/MissingField/email') | Sort-Object)
        # 150 items + the duplicate-email user, which only the migration run can reject (it needs every user).
        @($all | Where-Object { -not $_.Rejected }).Count | Should -Be 151
        @($all | Where-Object { $_.GSI1PK -like 'EMAIL#*' } | Group-Object GSI1PK | Where-Object Count -gt 1).Count | Should -Be 1
        $readme = Get-Content (Join-Path $script:samples 'README.md') -Raw
        foreach ($r in $all | Where-Object Rejected) { $readme | Should -Match $r.Id }
    }
    It 'keeps ObjectId, Date, Decimal128 and NumberLong through every source' {
        $order = ConvertTo-EcommerceItem -Entity Order -Path (Join-Path $script:samples 'dump/shop/orders.bson') -First 1
        $order.Item['userId'].S | Should -Match '^[0-9a-f]{24}$'
        $order.Item['createdAt'].S | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$'
        $order.Item['total'].N | Should -Match '^\d+$'
        $decimal = ConvertTo-EcommerceItem -Entity Product -MongoUri $script:mongoUri | Where-Object { $_.Item -and $_.Item['price'].N -like '*.5' }
        @($decimal).Count | Should -BeGreaterThan 3
    }
    It 'reads a --jsonArray export, a pretty-printed export and a gzip dump' {
        $lines = Get-Content (Join-Path $script:samples 'shop/products.json')
        $array = Join-Path $script:work 'products-array.json'
        Set-Content -Path $array -Value ("[`n" + ($lines -join ",`n") + "`n]")
        $pretty = Join-Path $script:work 'products-pretty.json'
        Set-Content -Path $pretty -Value (($lines | ForEach-Object { $_ | ConvertFrom-Json | ConvertTo-Json -Depth 20 }) -join "`n")
        $gz = Join-Path $script:work 'products.bson.gz'
        $in = [System.IO.File]::OpenRead((Join-Path $script:samples 'dump/shop/products.bson'))
        $out = [System.IO.Compression.GZipStream]::new([System.IO.File]::Create($gz), [System.IO.Compression.CompressionLevel]::Optimal)
        $in.CopyTo($out); $out.Dispose(); $in.Dispose()
        $expected = ConvertTo-Canonical (ConvertTo-EcommerceItem -Entity Product -Path (Join-Path $script:samples 'dump/shop/products.bson'))
        ConvertTo-Canonical (ConvertTo-EcommerceItem -Entity Product -Path $array) | Should -Be $expected
        ConvertTo-Canonical (ConvertTo-EcommerceItem -Entity Product -Path $gz) | Should -Be $expected
        @(ConvertTo-EcommerceItem -Entity Product -Path $pretty).Count | Should -Be @($lines).Count
    }
    It 'reports a malformed document with the file, document number and line, and goes on' {
        $bad = Join-Path $script:work 'bad.json'
        Set-Content -Path $bad -Value @('{"_id":"c1","name":"a"}', '', '{"_id":"c2","name":"b", oops}', '{"_id":"c3","name":"c"}')
        $out = @(ConvertTo-EcommerceItem -Entity Category -Path $bad)
        $out.Count | Should -Be 3
        $out[1].RejectReason | Should -Be 'MalformedDocument'
        $out[1].RejectDetail | Should -Match 'document #2, line 3'
        $out[2].Id | Should -Be 'c3'
        $truncated = Join-Path $script:work 'bad.bson'
        $bytes = [System.IO.File]::ReadAllBytes((Join-Path $script:samples 'dump/shop/categories.bson'))
        [System.IO.File]::WriteAllBytes($truncated, $bytes[0..($bytes.Length - 10)])
        (Get-ErrorId { ConvertTo-EcommerceItem -Entity Category -Path $truncated }) | Should -BeLike 'SourceDocumentMalformed*'
    }
    It 'a missing file is SourceFileNotFound' {
        Get-ErrorId { ConvertTo-EcommerceItem -Entity Product -Path (Join-Path $script:work 'nope.bson') } | Should -BeLike 'SourceFileNotFound*'
    }
}

Describe 'Secrets never leave' -Tag Integration {
    It 'a user password hash appears in no stream, view or serialized output' {
        $canary = '$2b$10$CanaryHashZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ'
        $doc = @{ _id = 'u-canary'; email = 'canary@example.cm'; password = $canary; nested = @{ resetToken = 'tok-CanaryToken-123456' } }
        $all = & { ConvertTo-EcommerceItem -Entity User -InputObject $doc -Verbose } *>&1
        $text = ($all | Out-String) + ($all | Format-List | Out-String) + ($all | Format-Table | Out-String) + ($all | ConvertTo-Json -Depth 20)
        $text | Should -Not -Match ([regex]::Escape($canary))
        $text | Should -Not -Match 'CanaryToken'
        # Not absent by accident: the fields are there, mapped, and shown masked.
        $item = ($all | Where-Object { $_ -is [EcommerceAws.Output.EcommerceItemPreview] }).Item
        $item['password'].S | Should -Be '****'
        $item['nested'].M['resetToken'].S | Should -Be '****'
        $item['email'].S | Should -Be 'canary@example.cm'
        $text | Should -Match 'canary@example\.cm'
        $bad = & { ConvertTo-EcommerceItem -Entity User -InputObject @{ _id = 'u2'; email = 'x@y.cm'; password = $canary; price = [double]::NaN } -Verbose } *>&1
        ($bad | Format-List * -Force | Out-String) | Should -Not -Match ([regex]::Escape($canary))
        $bad.RejectReason | Should -Be 'InvalidNumber'
    }
    It 'an unreachable MongoDB is MongoConnectionFailed naming host:port, never the password' {
        $port = Get-FreePort
        $streams = & { try { ConvertTo-EcommerceItem -Entity Product -MongoUri "mongodb://shop:S3cretCanaryPw@127.0.0.1:$port/shop?serverSelectionTimeoutMS=1500&connectTimeoutMS=1000" -Verbose } catch { $_ } } *>&1
        $err = $streams | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | Select-Object -Last 1
        $err.FullyQualifiedErrorId | Should -BeLike 'MongoConnectionFailed*'
        $err.Exception.Message | Should -Match "127\.0\.0\.1:$port"
        $err.TargetObject | Should -Be "127.0.0.1:$port"
        (($streams | Out-String) + ($err | Format-List * -Force | Out-String) + $err.Exception.ToString()) | Should -Not -Match 'S3cretCanaryPw'
    }
    It 'wrong credentials are MongoAuthenticationFailed, never the password' {
        $server = Start-MongoWireServer -LogDirectory $script:work -MongoWireDll $env:ECOM_MONGOWIRE_DLL -User 'shop' -Password 'right-password'
        try {
            $uri = $server.Url -replace 'right-password', 'Wr0ngCanaryPw'
            $streams = & { try { ConvertTo-EcommerceItem -Entity Product -MongoUri "${uri}shop?authSource=admin" -Verbose } catch { $_ } } *>&1
            $err = $streams | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | Select-Object -Last 1
            $err.FullyQualifiedErrorId | Should -BeLike 'MongoAuthenticationFailed*'
            (($streams | Out-String) + ($err | Format-List * -Force | Out-String) + $err.Exception.ToString()) | Should -Not -Match 'Wr0ngCanaryPw'
            # The right password reads (an empty collection).
            @(ConvertTo-EcommerceItem -Entity Product -MongoUri "$($server.Url)shop?authSource=admin").Count | Should -Be 0
        }
        finally { $server | Stop-TestService }
    }
}
