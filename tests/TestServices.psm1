# Starts and stops the local stand-ins (moto server, redis-server, the MongoDB wire test server) on free
# 127.0.0.1 ports. Used by build.ps1 Test/Demo/Bench and by tests that need a private instance.
# Every process started here is stopped by Stop-TestService.
Set-StrictMode -Version 3.0

function Get-FreePort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Wait-TcpPort {
    param([int] $Port, [System.Diagnostics.Process] $Process, [int] $TimeoutSeconds = 60)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        if ($Process -and $Process.HasExited) { throw "The service process exited early (exit code $($Process.ExitCode))." }
        $client = [System.Net.Sockets.TcpClient]::new()
        try { $client.Connect('127.0.0.1', $Port); return } catch { Start-Sleep -Milliseconds 100 } finally { $client.Dispose() }
    }
    throw "Nothing listened on 127.0.0.1:$Port within $TimeoutSeconds s."
}

function Start-ServiceProcess {
    param([string] $Name, [string] $FilePath, [string[]] $ArgumentList, [int] $Port, [string] $LogDirectory)
    $null = New-Item -ItemType Directory -Force -Path $LogDirectory
    $log = Join-Path $LogDirectory "$Name-$Port.log"
    $process = Start-Process -FilePath $FilePath -ArgumentList $ArgumentList -PassThru `
        -RedirectStandardOutput $log -RedirectStandardError "$log.err"
    try { Wait-TcpPort -Port $Port -Process $process }
    catch {
        $tail = if (Test-Path "$log.err") { (Get-Content "$log.err" -Tail 20) -join "`n" } else { '' }
        Stop-ProcessTree $process
        throw "Could not start $Name on port ${Port}: $_`n$tail"
    }
    [pscustomobject]@{ Name = $Name; Port = $Port; Process = $process; Log = $log }
}

function Stop-ProcessTree([System.Diagnostics.Process] $Process) {
    if ($Process -and -not $Process.HasExited) {
        try { $Process.Kill($true); $null = $Process.WaitForExit(10000) } catch { }
    }
}

function Start-MotoServer([string] $LogDirectory) {
    $port = Get-FreePort
    # moto server through a wrapper whose ImportTable reads DYNAMODB_JSON as AWS does (see tests/Fixtures/moto_server.py).
    $server = Join-Path $PSScriptRoot 'Fixtures/moto_server.py'
    Start-ServiceProcess -Name moto -FilePath python3 -ArgumentList @($server, '-H', '127.0.0.1', '-p', "$port") `
        -Port $port -LogDirectory $LogDirectory |
        Add-Member -NotePropertyName Url -NotePropertyValue "http://127.0.0.1:$port" -PassThru
}

function Start-RedisServer([string] $LogDirectory, [string] $RequirePass) {
    $port = Get-FreePort
    $arguments = @('--port', "$port", '--bind', '127.0.0.1', '--save', '""', '--appendonly', 'no')
    if ($RequirePass) { $arguments += @('--requirepass', $RequirePass) }
    Start-ServiceProcess -Name redis -FilePath redis-server -ArgumentList $arguments -Port $port -LogDirectory $LogDirectory |
        Add-Member -NotePropertyName Url -NotePropertyValue "redis://127.0.0.1:$port" -PassThru
}

function Start-MongoWireServer([string] $LogDirectory, [string] $MongoWireDll, [string] $User, [string] $Password) {
    $port = Get-FreePort
    $arguments = @($MongoWireDll, 'serve', '--port', "$port", '--host', '127.0.0.1')
    $credential = ''
    if ($User) {
        $arguments += @('--user', $User, '--password', $Password)
        $credential = "$([uri]::EscapeDataString($User)):$([uri]::EscapeDataString($Password))@"
    }
    Start-ServiceProcess -Name mongowire -FilePath dotnet -ArgumentList $arguments -Port $port -LogDirectory $LogDirectory |
        Add-Member -NotePropertyName Url -NotePropertyValue "mongodb://${credential}127.0.0.1:$port/" -PassThru
}

function Stop-TestService {
    param([Parameter(ValueFromPipeline)] $Service)
    process { if ($Service) { Stop-ProcessTree $Service.Process } }
}

Export-ModuleMember -Function Get-FreePort, Wait-TcpPort, Start-MotoServer, Start-RedisServer, Start-MongoWireServer, Stop-TestService, Stop-ProcessTree
