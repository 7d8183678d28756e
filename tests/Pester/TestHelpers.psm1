# Shared helpers for the Pester suites. The harness (build.ps1 Test) exports the stand-ins' endpoints:
# AWS_ENDPOINT_URL (moto), ECOM_TEST_REDIS_URL, ECOM_TEST_MONGO_URI, ECOM_MONGOWIRE_DLL, ECOM_MODULE_PATH.
Set-StrictMode -Version 3.0

function Import-EcommerceAws {
    $path = if ($env:ECOM_MODULE_PATH) { $env:ECOM_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/EcommerceAws' }
    Import-Module $path -Force -Global
}

function New-TestName([string] $Prefix = 'pester') {
    # Unique, lowercase, valid for tables, buckets and cache clusters.
    "$Prefix-$([guid]::NewGuid().ToString('N').Substring(0, 10))"
}

function Invoke-AwsCli {
    # The independent client: Debian's AWS CLI v2 against the same endpoint, JSON parsed; throws on failure.
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    $env:AWS_MAX_ATTEMPTS = '1'
    $env:AWS_PAGER = ''
    $output = & /usr/bin/aws --endpoint-url $env:AWS_ENDPOINT_URL --region us-east-1 --output json @Arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "aws $($Arguments -join ' ') failed ($LASTEXITCODE): $($output -join "`n")" }
    $text = ($output | ForEach-Object { "$_" }) -join "`n"
    if ($text.Trim()) { $text | ConvertFrom-Json -Depth 50 } else { $null }
}

function Test-AwsCli {
    # $true when the aws call succeeds (for "does it still exist" checks).
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    $null = & /usr/bin/aws --endpoint-url $env:AWS_ENDPOINT_URL --region us-east-1 --output json @Arguments 2>&1
    $LASTEXITCODE -eq 0
}

function Invoke-MongoClient {
    # The real MongoDB.Driver through the wire test server's client CLI.
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    $output = & dotnet $env:ECOM_MONGOWIRE_DLL client @Arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "MongoWire client $($Arguments -join ' ') failed ($LASTEXITCODE): $($output -join "`n")" }
    $output
}

function Invoke-FreshPwsh {
    # Runs a script in a brand-new pwsh process (same environment); returns its output lines and exit code.
    param([Parameter(Mandatory)] [string] $Script)
    $exe = Join-Path $PSHOME 'pwsh'
    $command = @(if (Test-Path $exe -PathType Leaf) { $exe } else { 'dotnet'; Join-Path $PSHOME 'pwsh.dll' })
    $file = Join-Path ([System.IO.Path]::GetTempPath()) "ecom-$([guid]::NewGuid().ToString('N')).ps1"
    Set-Content -Path $file -Value $Script
    try {
        $output = & $command[0] @($command | Select-Object -Skip 1) -NoProfile -NonInteractive -File $file 2>&1
        [pscustomobject]@{ Output = @($output | ForEach-Object { "$_" }); ExitCode = $LASTEXITCODE }
    }
    finally { Remove-Item $file -ErrorAction SilentlyContinue }
}

function Get-ErrorId {
    # Runs a script block expecting a terminating error; returns its FullyQualifiedErrorId ('' when none).
    param([scriptblock] $ScriptBlock)
    try { & $ScriptBlock | Out-Null; '' } catch { $_.FullyQualifiedErrorId }
}

function Get-ProductItem {
    # A product's item as the AWS CLI reads it (consistent read), or nothing. The CLI's JSON nests two levels per
    # List/Map and ConvertFrom-Json stops at 50, so deep items are read with a -Projection.
    param([string] $TableName, [string] $Id, [string] $Projection)
    $extra = if ($Projection) { @('--projection-expression', $Projection) } else { @() }
    $r = Invoke-AwsCli dynamodb get-item --table-name $TableName --consistent-read --key (@{ PK = @{ S = "PRODUCT#$Id" }; SK = @{ S = "PRODUCT#$Id" } } | ConvertTo-Json -Compress) @extra
    if ($r -and $r.PSObject.Properties['Item']) { $r.Item }
}

function Invoke-Redis {
    # redis-cli against the test Redis (ECOM_TEST_REDIS_URL).
    & redis-cli -u $env:ECOM_TEST_REDIS_URL @args
}

function Start-AwsProxy {
    # The scripted proxy (tests/Fixtures/ThrottleProxy) in front of the stand-ins: it forwards every request and,
    # once told with Set-AwsProxyRule, answers chosen operations with chosen errors, redirects or clock-skewed
    # Date headers. Point a cmdlet at it with -EndpointUrl $proxy.Url. Stop it with Stop-AwsProxy.
    param([string] $Target = $env:AWS_ENDPOINT_URL)
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
    $dll = Join-Path $env:ECOM_REPO_ROOT 'out/fixtures/ThrottleProxy/ThrottleProxy.dll'
    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in $dll, '--port', "$port", '--target', $Target) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $null = $process.StandardOutput.ReadLine() # "listening"
    [pscustomobject]@{ Process = $process; Url = "http://127.0.0.1:$port" }
}

function Set-AwsProxyRule {
    # Replaces the proxy's rules (see tests/Fixtures/ThrottleProxy/Program.cs) and forgets the requests seen so far.
    param([Parameter(Mandatory)] $Proxy, [object[]] $Rule = @())
    $body = ConvertTo-Json -InputObject @($Rule) -Depth 6 -Compress
    $null = Invoke-RestMethod -Method Post -Uri "$($Proxy.Url)/__rules" -Body $body -ContentType 'application/json'
}

function Get-AwsProxyRequest {
    # Every request the proxy saw since the last Set-AwsProxyRule: method, path, op, amzDate, rule (index or null).
    param([Parameter(Mandatory)] $Proxy)
    # One object per request (Invoke-RestMethod hands a JSON array over as one object).
    $list = Invoke-RestMethod -Uri "$($Proxy.Url)/__requests"
    @($list | ForEach-Object { $_ })
}

function Stop-AwsProxy {
    param($Proxy)
    if ($Proxy -and -not $Proxy.Process.HasExited) { $Proxy.Process.Kill(); $Proxy.Process.WaitForExit() }
}

function New-AwsQueryError {
    # An AWS Query-protocol (ElastiCache, CloudWatch) or REST-XML (CloudFront) error body.
    param([string] $Code, [string] $Message = 'Scripted by the test proxy.', [string] $Type = 'Sender')
    "<ErrorResponse><Error><Type>$Type</Type><Code>$Code</Code><Message>$([System.Security.SecurityElement]::Escape($Message))</Message></Error><RequestId>proxy-0001</RequestId></ErrorResponse>"
}

function New-DynamoDbError {
    # A DynamoDB (JSON 1.0 protocol) error body.
    param([string] $Code, [string] $Message = 'Scripted by the test proxy.')
    @{ __type = "com.amazonaws.dynamodb.v20120810#$Code"; message = $Message } | ConvertTo-Json -Compress
}

function Read-AwsRequestLog {
    # The ECOM_AWS_REQUEST_LOG file as objects (requests, and transport events with an "event" member).
    param([string] $Path)
    if (Test-Path $Path) { @(Get-Content $Path | Where-Object { $_ } | ForEach-Object { $_ | ConvertFrom-Json }) } else { @() }
}

Export-ModuleMember -Function *
