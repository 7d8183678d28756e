# Helpers for the migration suites: generated shop documents as Extended JSON lines, and process control.
Set-StrictMode -Version 3.0

$script:createdTables = [System.Collections.Generic.List[string]]::new()

function New-MigrationTable {
    # A fresh single table (New-EcommerceTable), remembered for Remove-MigrationTable at the end of the file.
    param([hashtable] $Extra = @{}, [string] $Prefix = 'mig')
    $name = New-TestName $Prefix
    $script:createdTables.Add($name)
    $null = New-EcommerceTable -TableName $name -Confirm:$false @Extra
    $name
}

function Remove-MigrationTable {
    # Deletes every table New-MigrationTable made since the module was imported.
    foreach ($name in $script:createdTables) { Remove-EcommerceTable -TableName $name -Force -Confirm:$false -ErrorAction SilentlyContinue }
    $script:createdTables.Clear()
}

function New-Db { "shop$([guid]::NewGuid().ToString('N').Substring(0, 8))" }

function New-ObjectIdText([int] $Seed, [int] $Index) { '{0:x8}{1:x16}' -f $Seed, $Index }

function New-ProductLines {
    # Products with nameEn/nameFr, XAF prices (integers, some Decimal128), stock, createdAt.
    param([int] $Count, [int] $Seed = 1, [int] $Start = 0)
    $categories = 'Electronics', 'Clothing', 'Home & Kitchen', 'Beauty'
    for ($i = $Start; $i -lt $Start + $Count; $i++) {
        $price = if ($i % 7 -eq 0) { '{"$numberDecimal":"' + (1000 + $i) + '.50"}' } else { "$((1000 + $i) * 5)" }
        '{"_id":{"$oid":"' + (New-ObjectIdText $Seed $i) + '"},"nameEn":"Product ' + $i + '","nameFr":"Produit ' + $i + '","category":"' + $categories[$i % 4] +
            '","price":' + $price + ',"currency":"XAF","stock":{"$numberLong":"' + ($i % 50) + '"},"images":["products/' + $i + '.jpg"],"active":true,"createdAt":{"$date":"2024-03-01T10:15:30.123Z"},"__v":0}'
    }
}

function New-UserLines {
    # Users with bcrypt-shaped hashes; $HashCanary goes into every hash.
    param([int] $Count, [string] $HashCanary = 'CANARYHASH', [int] $Seed = 2)
    for ($i = 0; $i -lt $Count; $i++) {
        '{"_id":{"$oid":"' + (New-ObjectIdText $Seed $i) + '"},"name":"User ' + $i + '","email":"user' + $i + '@shop.cm","passwordHash":"$2b$10$' + $HashCanary + $i + 'abcdefghijklmnopqrstuv","role":"customer","createdAt":{"$date":"2024-01-0' + (1 + $i % 9) + 'T08:00:00.000Z"}}'
    }
}

function Write-Lines([string[]] $Lines) {
    $file = Join-Path ([System.IO.Path]::GetTempPath()) "ecom-mig-$([guid]::NewGuid().ToString('N')).json"
    [System.IO.File]::WriteAllLines($file, $Lines)
    $file
}

function Get-StatusItem([string] $TableName, [string] $Entity) {
    $answer = Invoke-AwsCli dynamodb get-item --table-name $TableName --consistent-read --key "{`"PK`":{`"S`":`"MIGRATION#$($Entity.ToUpperInvariant())`"},`"SK`":{`"S`":`"STATUS`"}}"
    if ($answer) { $answer.Item }
}

function Get-EntityCount([string] $TableName, [string] $EntityType) {
    (Invoke-AwsCli dynamodb scan --table-name $TableName --select COUNT --filter-expression 'entityType = :t' --expression-attribute-values "{`":t`":{`"S`":`"$EntityType`"}}").Count
}

function ConvertTo-UtcTime($Value) {
    # ConvertFrom-Json already turns ISO text into a DateTime; accept either.
    if ($Value -is [DateTime]) { return $Value.ToUniversalTime() }
    [DateTime]::Parse("$Value", [cultureinfo]::InvariantCulture, [System.Globalization.DateTimeStyles]'AdjustToUniversal, AssumeUniversal')
}

function Wait-LeaseExpiry([string] $TableName, [string] $Entity, [int] $TimeoutSeconds = 120) {
    # Sleeps until the status item's lease (left by a killed run) has expired; returns the item as it was.
    $item = Get-StatusItem $TableName $Entity
    if (-not $item -or -not $item.PSObject.Properties['LeaseExpiresAt']) { return $item }
    $expires = ConvertTo-UtcTime $item.LeaseExpiresAt.S
    $wait = [Math]::Min($TimeoutSeconds, ($expires - [DateTime]::UtcNow).TotalSeconds + 0.5)
    if ($wait -gt 0) { Start-Sleep -Milliseconds ([int]($wait * 1000)) }
    $item
}

function Start-PwshProcess([string] $Script, [switch] $Interactive, [string] $InputText) {
    # A separate pwsh (same environment) the test can kill part-way. Its output is kept: $p.Output.Result / $p.Errors.Result
    # once it has exited. -Interactive leaves out -NonInteractive so ShouldContinue prompts; -InputText answers on stdin.
    $file = Join-Path ([System.IO.Path]::GetTempPath()) "ecom-$([guid]::NewGuid().ToString('N')).ps1"
    Set-Content -Path $file -Value $Script
    $exe = Join-Path $PSHOME 'pwsh'
    $info = if (Test-Path $exe -PathType Leaf) { [System.Diagnostics.ProcessStartInfo]::new($exe) } else {
        $i = [System.Diagnostics.ProcessStartInfo]::new('dotnet'); $i.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')); $i }
    $arguments = if ($Interactive) { '-NoProfile', '-File', $file } else { '-NoProfile', '-NonInteractive', '-File', $file }
    foreach ($a in $arguments) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.RedirectStandardInput = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $process | Add-Member -NotePropertyName Output -NotePropertyValue $process.StandardOutput.ReadToEndAsync()
    $process | Add-Member -NotePropertyName Errors -NotePropertyValue $process.StandardError.ReadToEndAsync()
    if ($InputText) { $process.StandardInput.Write($InputText) }
    $process.StandardInput.Close()
    $process
}

function Start-ThrottleProxy([string] $Target, [double] $Throttle, [double] $Unprocessed, [int] $DelayMs = 0, [switch] $AnswerWrites, [switch] $AnswerUploads, [string] $FailOperation, [string] $RejectPk) {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
    $dll = Join-Path $env:ECOM_REPO_ROOT 'out/fixtures/ThrottleProxy/ThrottleProxy.dll'
    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in $dll, '--port', "$port", '--target', $Target, '--throttle', "$Throttle", '--unprocessed', "$Unprocessed", '--delay-ms', "$DelayMs") { $info.ArgumentList.Add($a) }
    if ($AnswerWrites) { $info.ArgumentList.Add('--answer-writes') }
    if ($RejectPk) { $info.ArgumentList.Add('--reject-pk'); $info.ArgumentList.Add($RejectPk) }
    if ($AnswerUploads) { $info.ArgumentList.Add('--answer-uploads') }
    if ($FailOperation) { $info.ArgumentList.Add('--fail-operation'); $info.ArgumentList.Add($FailOperation) }
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $null = $process.StandardOutput.ReadLine() # "listening"
    [pscustomobject]@{ Process = $process; Url = "http://127.0.0.1:$port" }
}

Export-ModuleMember -Function *
