# Redis over TLS (rediss://, as ElastiCache with in-transit encryption) and the HTTPS CDN row of
# Test-EcommerceConnection, against a private test CA. How a private CA is trusted: on Linux .NET reads
# SSL_CERT_FILE / SSL_CERT_DIR when the process starts, so the trusted runs happen in a fresh pwsh started
# with SSL_CERT_FILE=<test CA>; this pwsh does not trust the CA, which gives the "untrusted" cases.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../TestServices.psm1') -Force
    Import-EcommerceAws

    if (-not (Get-Command openssl -ErrorAction SilentlyContinue)) { throw 'openssl is missing (apt-get install openssl).' }

    function New-TestCertificate {
        # A certificate signed by the CA in $Dir (ca.crt/ca.key) for the given subjectAltName.
        param([string] $Dir, [string] $Name, [string] $SubjectAltName)
        $key = Join-Path $Dir "$Name.key"; $csr = Join-Path $Dir "$Name.csr"; $crt = Join-Path $Dir "$Name.crt"; $ext = Join-Path $Dir "$Name.ext"
        Set-Content -Path $ext -Value "subjectAltName=$SubjectAltName`nbasicConstraints=CA:FALSE`nkeyUsage=digitalSignature,keyEncipherment`nextendedKeyUsage=serverAuth"
        & openssl req -newkey rsa:2048 -nodes -keyout $key -out $csr -subj "/CN=$Name" 2>&1 | Out-Null
        & openssl x509 -req -in $csr -CA (Join-Path $Dir 'ca.crt') -CAkey (Join-Path $Dir 'ca.key') -CAcreateserial -out $crt -days 2 -extfile $ext 2>&1 | Out-Null
        if ($LASTEXITCODE -ne 0 -or -not (Test-Path $crt)) { throw "openssl could not sign the $Name certificate." }
        [pscustomobject]@{ Cert = $crt; Key = $key }
    }

    function Start-TlsProcess {
        param([string] $Name, [string] $FilePath, [string[]] $ArgumentList, [int] $Port, [string] $WorkingDirectory = $TestDrive)
        $log = Join-Path $TestDrive "$Name.log"
        $process = Start-Process -FilePath $FilePath -ArgumentList $ArgumentList -PassThru -WorkingDirectory $WorkingDirectory `
            -RedirectStandardOutput $log -RedirectStandardError "$log.err"
        try { Wait-TcpPort -Port $Port -Process $process -TimeoutSeconds 20 }
        catch { Stop-ProcessTree $process; throw "$Name did not start: $_ $(Get-Content -Raw "$log.err" -ErrorAction SilentlyContinue)" }
        $process
    }

    function Invoke-Failing {
        # Runs a call expected to end in a terminating error; returns that error and the text of every stream before it.
        param([scriptblock] $Call)
        $lines = [System.Collections.Generic.List[string]]::new()
        $caught = $null
        try { & $Call *>&1 | ForEach-Object { $lines.Add(($_ | Out-String)) } } catch { $caught = $_ }
        if (-not $caught) { throw "The call did not fail: $($lines -join '')" }
        [pscustomobject]@{ Error = $caught; Text = ($lines -join '') + ($caught | Out-String) + $caught.ErrorDetails.RecommendedAction }
    }

    function Invoke-TrustingPwsh {
        # A fresh pwsh that trusts the test CA (SSL_CERT_FILE is read once per process); returns every line of every stream.
        param([string] $Script)
        $file = Join-Path $TestDrive "trusted-$([guid]::NewGuid().ToString('N')).ps1"
        Set-Content -Path $file -Value "`$ErrorActionPreference = 'Stop'`nImport-Module '$env:ECOM_MODULE_PATH'`n$Script"
        $exe = Join-Path $PSHOME 'pwsh'
        $pwsh = @(if (Test-Path $exe -PathType Leaf) { $exe } else { 'dotnet'; Join-Path $PSHOME 'pwsh.dll' })
        $output = & env "SSL_CERT_FILE=$script:ca" "ECOM_TLS_TOKEN_FILE=$script:tokenFile" @pwsh -NoProfile -NonInteractive -File $file *>&1
        [pscustomobject]@{ Output = @($output | ForEach-Object { "$_" }); ExitCode = $LASTEXITCODE }
    }

    # A throwaway CA and a server certificate for localhost and 127.0.0.1.
    $script:pki = Join-Path $TestDrive 'pki'
    $null = New-Item -ItemType Directory -Path $pki
    $script:ca = Join-Path $pki 'ca.crt'
    & openssl req -x509 -newkey rsa:2048 -nodes -keyout (Join-Path $pki 'ca.key') -out $ca -days 2 -subj '/CN=EcommerceAws Test CA' 2>&1 | Out-Null
    $server = New-TestCertificate -Dir $pki -Name server -SubjectAltName 'DNS:localhost,IP:127.0.0.1'
    $otherName = New-TestCertificate -Dir $pki -Name othername -SubjectAltName 'DNS:cdn.example.test'

    # redis-server with TLS only and an AUTH token.
    $script:token = 'Tls-' + [guid]::NewGuid().ToString('N')
    $script:tokenFile = Join-Path $TestDrive 'token.txt'
    Set-Content -Path $tokenFile -Value $token -NoNewline
    $script:redisPort = Get-FreePort
    $script:redisProcess = Start-TlsProcess -Name redis-tls -FilePath redis-server -Port $redisPort -ArgumentList @(
        '--port', '0', '--tls-port', "$redisPort", '--tls-cert-file', $server.Cert, '--tls-key-file', $server.Key,
        '--tls-ca-cert-file', $ca, '--tls-auth-clients', 'no', '--requirepass', $token,
        '--save', '""', '--appendonly', 'no', '--bind', '127.0.0.1')
    $script:tlsUrl = "rediss://127.0.0.1:$redisPort"
    function Invoke-TlsRedis { & redis-cli --tls --cacert $ca -h 127.0.0.1 -p $redisPort -a $token --no-auth-warning @args }

    # HTTPS servers standing in for the CDN: one with the right name, one with another name.
    $https = @'
import http.server, ssl, sys
port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
httpd = http.server.HTTPServer(('127.0.0.1', port), http.server.SimpleHTTPRequestHandler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
httpd.serve_forever()
'@
    $script:httpsScript = Join-Path $TestDrive 'https.py'
    Set-Content -Path $httpsScript -Value $https
    $www = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'www')
    Set-Content -Path (Join-Path $www 'index.html') -Value '<html>cdn</html>'
    $script:cdnPort = Get-FreePort
    $script:cdnProcess = Start-TlsProcess -Name cdn -FilePath python3 -Port $cdnPort -WorkingDirectory $www `
        -ArgumentList @($httpsScript, "$cdnPort", $server.Cert, $server.Key)
    $script:otherPort = Get-FreePort
    $script:otherProcess = Start-TlsProcess -Name cdn-othername -FilePath python3 -Port $otherPort -WorkingDirectory $www `
        -ArgumentList @($httpsScript, "$otherPort", $otherName.Cert, $otherName.Key)

    # A table with two products for warming the cache.
    $script:table = New-TestName 'tls'
    New-EcommerceTable -TableName $table -Confirm:$false | Out-Null
    $script:products = @(
        New-EcommerceProduct -TableName $table -NameEn 'Phone' -NameFr 'Téléphone' -Price 125000 -Category 'Electronics' -Stock 3 -Confirm:$false
        New-EcommerceProduct -TableName $table -NameEn 'Shirt' -NameFr 'Chemise' -Price 8000 -Category 'Clothing' -Stock 9 -Confirm:$false
    )
}

AfterAll {
    Stop-ProcessTree $script:redisProcess
    Stop-ProcessTree $script:cdnProcess
    Stop-ProcessTree $script:otherProcess
    if ($script:table) { Remove-EcommerceTable -TableName $table -Force -Confirm:$false -ErrorAction SilentlyContinue }
}

Describe 'Redis over TLS (rediss://) with an AUTH token' -Tag Integration {
    It 'redis-server is TLS-only here (the plain client is turned away)' {
        Invoke-TlsRedis PING | Should -Be 'PONG'
        $plain = & redis-cli -h 127.0.0.1 -p $redisPort -a $token --no-auth-warning PING 2>&1
        "$plain" | Should -Not -Be 'PONG'
    }

    It 'warms, reads through, tests and clears the cache over TLS when the CA is trusted (SSL_CERT_FILE)' {
        $id = $products[0].Id
        $run = Invoke-TrustingPwsh @"
`$token = ConvertTo-SecureString (Get-Content -Raw `$env:ECOM_TLS_TOKEN_FILE) -AsPlainText -Force
`$warm = Initialize-EcommerceCache -TableName '$table' -RedisUrl '$tlsUrl' -AuthToken `$token -Confirm:`$false -Verbose
'WARM ' + (`$warm | Select-Object Operation, KeysWritten, Products, Categories, RedisUrl | ConvertTo-Json -Compress)
`$got = Get-EcommerceProduct -TableName '$table' -Id '$id' -RedisUrl '$tlsUrl' -AuthToken `$token -Verbose
'GOT ' + (`$got | Select-Object Id, NameEn | ConvertTo-Json -Compress)
`$rows = Test-EcommerceConnection -RedisUrl '$tlsUrl' -AuthToken `$token -CdnDomain '127.0.0.1:$cdnPort' -TimeoutSeconds 5
'CONN ' + (`$rows | Select-Object Service, Target, Reachable, LatencyMs, Note, Error | ConvertTo-Json -Compress)
"@
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $text = $run.Output -join "`n"
        $text | Should -Not -Match ([regex]::Escape($token))
        $text | Should -Not -Match 'WARNING' -Because 'the cache must not fall back to the table'

        $warm = ($run.Output | Where-Object { $_ -like 'WARM *' }).Substring(5) | ConvertFrom-Json
        $warm.Products | Should -Be 2
        $warm.Categories | Should -Be 2
        $warm.KeysWritten | Should -Be 5
        $warm.RedisUrl | Should -Be $tlsUrl

        $got = ($run.Output | Where-Object { $_ -like 'GOT *' }).Substring(4) | ConvertFrom-Json
        $got.Id | Should -Be $id
        $text | Should -Match "Cache hit: product:$id"

        $rows = ($run.Output | Where-Object { $_ -like 'CONN *' }).Substring(5) | ConvertFrom-Json
        $redisRow = $rows | Where-Object Service -eq 'Redis'
        $redisRow.Reachable | Should -BeTrue -Because $redisRow.Error
        $redisRow.Note | Should -Match 'PING answered'
        $cdnRow = $rows | Where-Object Service -eq 'CDN'
        $cdnRow.Reachable | Should -BeTrue -Because $cdnRow.Error
        $cdnRow.LatencyMs | Should -BeGreaterOrEqual 0
        $cdnRow.Note | Should -Match 'HTTPS answered 200'

        # What an independent TLS client sees: the guide's keys with the guide's TTLs.
        $keys = @(Invoke-TlsRedis --scan --pattern 'product*')
        $keys | Should -Contain "product:$id"
        $keys | Should -Contain 'products:Electronics'
        $keys | Should -Contain 'products:all'
        $keys | Should -HaveCount 5
        [int](Invoke-TlsRedis TTL "product:$id") | Should -BeIn (3500..3600)
        [int](Invoke-TlsRedis TTL 'products:all') | Should -BeIn (1700..1800)
        (Invoke-TlsRedis GET "product:$id" | ConvertFrom-Json).nameEn | Should -Be 'Phone'

        $clear = Invoke-TrustingPwsh @"
`$token = ConvertTo-SecureString (Get-Content -Raw `$env:ECOM_TLS_TOKEN_FILE) -AsPlainText -Force
`$cleared = Clear-EcommerceCache -RedisUrl '$tlsUrl' -AuthToken `$token -Confirm:`$false -Verbose
'CLEAR ' + (`$cleared | Select-Object KeysDeleted | ConvertTo-Json -Compress)
try { Clear-EcommerceCache -RedisUrl '$tlsUrl' -AuthToken (ConvertTo-SecureString 'wrong-token' -AsPlainText -Force) -Confirm:`$false }
catch { 'WRONG ' + `$_.FullyQualifiedErrorId + ' ' + `$_.Exception.Message }
"@
        $clear.ExitCode | Should -Be 0 -Because ($clear.Output -join "`n")
        ($clear.Output -join "`n") | Should -Not -Match ([regex]::Escape($token))
        (($clear.Output | Where-Object { $_ -like 'CLEAR *' }).Substring(6) | ConvertFrom-Json).KeysDeleted | Should -Be 5
        @(Invoke-TlsRedis --scan --pattern 'product*') | Should -HaveCount 0
        $wrong = $clear.Output | Where-Object { $_ -like 'WRONG *' }
        $wrong | Should -Match '^WRONG CacheAuthenticationFailed'
        $wrong | Should -Match 'refused the credentials'
    }

    It 'refuses a certificate from an untrusted CA, in plain words, without the token' {
        $secure = ConvertTo-SecureString $token -AsPlainText -Force
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $failure = Invoke-Failing { Clear-EcommerceCache -RedisUrl $tlsUrl -AuthToken $secure -Confirm:$false -Verbose }
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 20
        $failure.Error.FullyQualifiedErrorId | Should -Match '^CacheCertificateUntrusted'
        $failure.Error.CategoryInfo.Category | Should -Be 'SecurityError'
        $failure.Error.Exception.Message | Should -Match 'not trusted'
        $failure.Error.Exception.Message | Should -Match 'EcommerceAws Test CA'
        $failure.Error.ErrorDetails.RecommendedAction | Should -Match 'SSL_CERT_FILE'
        $failure.Text | Should -Not -Match ([regex]::Escape($token))
    }

    It 'Get-EcommerceProduct warns about the untrusted certificate and reads the table' {
        $secure = ConvertTo-SecureString $token -AsPlainText -Force
        $all = Get-EcommerceProduct -TableName $table -Id $products[1].Id -RedisUrl $tlsUrl -AuthToken $secure -Verbose *>&1
        $product = $all | Where-Object { $_ -is [EcommerceAws.Output.EcommerceProduct] }
        $product.Id | Should -Be $products[1].Id
        $warning = $all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }
        "$warning" | Should -Match 'not trusted'
        "$warning" | Should -Match 'Working without the cache'
        ($all | Out-String) | Should -Not -Match ([regex]::Escape($token))
    }

    It 'a plain redis:// URL to the TLS port fails quickly with a clear error' {
        $secure = ConvertTo-SecureString $token -AsPlainText -Force
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $failure = Invoke-Failing { Clear-EcommerceCache -RedisUrl "redis://127.0.0.1:$redisPort" -AuthToken $secure -Confirm:$false -Verbose }
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 15
        $failure.Error.FullyQualifiedErrorId | Should -Match '^CacheUnreachable'
        $failure.Error.Exception.Message | Should -Match "use rediss://127\.0\.0\.1:$redisPort"
        $failure.Text | Should -Not -Match ([regex]::Escape($token))

        $row = Test-EcommerceConnection -RedisUrl "redis://:$token@127.0.0.1:$redisPort" -TimeoutSeconds 3 *>&1 | Where-Object Service -eq 'Redis'
        $row.Reachable | Should -BeFalse
        $row.Error | Should -Match 'rediss://'
        $row.Target | Should -Be "redis://:****@127.0.0.1:$redisPort"
        ($row | Format-List * | Out-String) | Should -Not -Match ([regex]::Escape($token))
    }

    It 'a rediss:// URL to a plain Redis fails quickly with a clear error' {
        $plain = ([uri]$env:ECOM_TEST_REDIS_URL)
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $row = Test-EcommerceConnection -RedisUrl "rediss://127.0.0.1:$($plain.Port)" -TimeoutSeconds 3 | Where-Object Service -eq 'Redis'
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 15
        $row.Reachable | Should -BeFalse
        $row.Error | Should -Match "TLS handshake.*use redis://127\.0\.0\.1:$($plain.Port)"
    }
}

Describe 'Test-EcommerceConnection CDN row over HTTPS' -Tag Integration {
    It 'reports an untrusted certificate in plain words' {
        $row = Test-EcommerceConnection -CdnDomain "127.0.0.1:$cdnPort" -TimeoutSeconds 5 | Where-Object Service -eq 'CDN'
        $row.Reachable | Should -BeFalse
        $row.Target | Should -Be "127.0.0.1:$cdnPort"
        $row.Error | Should -Match 'not trusted'
    }

    It 'reports a certificate for another name in plain words' {
        $run = Invoke-TrustingPwsh "Test-EcommerceConnection -CdnDomain '127.0.0.1:$otherPort' -TimeoutSeconds 5 | Where-Object Service -eq 'CDN' | ForEach-Object { 'ERR ' + `$_.Error }"
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $err = ($run.Output | Where-Object { $_ -like 'ERR *' })
        $err | Should -Match 'another name'
        $err | Should -Match 'cdn\.example\.test'
    }
}
